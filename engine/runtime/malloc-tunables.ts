// glibc's allocator settings for processes that scrub. Local-function sessions run without
// onnxruntime's memory arena (docs/design.md, "Execution plan"), so every run allocates its
// buffers with malloc and frees them; by default glibc hands large freed blocks back to the kernel
// (mmap threshold from 128 KiB, trim threshold 128 KiB, both raised only as it sees frees), and the
// next run of another session faults the same pages in again. On the raw torch export
// (l0_head0, 2,000 roots, one thread) that was 2,000–8,000 page faults and tens of milliseconds
// of system time per scrub (bench/README.md). These settings keep freed memory in the process for
// the next run, shared by all sessions, so the peak is unchanged; they are read once, when the
// process starts, so they can only be given to a process we start.
import { spawnSync } from 'node:child_process';

/**
 * Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap; up to 256 MiB of free
 * memory at its top stays there; the heap grows 16 MiB at a time. Each setting alone did not help
 * (a fixed mmap threshold without the trim threshold faulted more than the default).
 */
export const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=16777216';

/** Whether a process started on this platform with `env` would run without MALLOC_TUNABLES (on Linux; another C library ignores them). */
export function lacksMallocTunables(env: NodeJS.ProcessEnv = process.env): boolean {
    return process.platform === 'linux' && !(env.GLIBC_TUNABLES ?? '').includes(MALLOC_TUNABLES);
}

/** `env` with MALLOC_TUNABLES before any tunables it sets already (glibc applies them in order: the user's win). */
export function withMallocTunables(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const own = env.GLIBC_TUNABLES;
    return { ...env, GLIBC_TUNABLES: own ? `${MALLOC_TUNABLES}:${own}` : MALLOC_TUNABLES };
}

/**
 * Runs this script again with MALLOC_TUNABLES when the process lacks them, passing its stdio
 * through, and returns the exit code to end with; undefined when this process has them (or the
 * platform does not read them) and should go on. HYP_MALLOC_TUNABLES=0 turns it off.
 */
export function rerunWithMallocTunables(): number | undefined {
    if (process.env.HYP_MALLOC_TUNABLES === '0' || !lacksMallocTunables()) return undefined;
    const run = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: withMallocTunables() });
    if (run.error !== undefined) return undefined;
    return run.status ?? 1;
}
