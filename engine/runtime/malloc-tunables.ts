// glibc's allocator settings for processes that scrub. Local-function sessions run without
// onnxruntime's memory arena (docs/design.md, "Execution plan"), so every run allocates its
// buffers with malloc and frees them; by default glibc hands large freed blocks back to the kernel
// (mmap threshold from 128 KiB, trim threshold 128 KiB, both raised only as it sees frees), and the
// next run of another session faults the same pages in again. On the raw torch export
// (l0_head0, 2,000 roots, one thread) that was 2,000–8,000 page faults and tens of milliseconds
// of system time per scrub (bench/README.md). These settings keep freed memory in the process for
// the next run, shared by all sessions, so the peak is unchanged; they are read once, when the
// process starts, so they can only be given to a process we start.
import { spawn } from 'node:child_process';

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

/** Set in the process rerunWithMallocTunables starts: its parent's pid, which it watches. */
const PARENT_ENV = 'HYP_RERUN_PARENT';

/** Signals the parent passes on: it is the only process of its group that a terminal or `kill` reaches. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs this script again with MALLOC_TUNABLES when the process lacks them, passing its stdio
 * through, and resolves to the exit code to end with; undefined when this process has them (or
 * the platform does not read them, or the rerun could not start) and should go on.
 * HYP_MALLOC_TUNABLES=0 turns it off.
 *
 * The rerun must behave as this process would have, for a user at a terminal and for a scheduler
 * alike. So it runs in a process group of its own and this process passes it each SIGINT, SIGTERM
 * and SIGHUP exactly once (a terminal's Ctrl+C reaches only this group: in one group the child
 * would get it twice, and its second SIGINT skips the graceful cancel); it ends the way the rerun
 * ended, by the same signal where it was killed; and the rerun exits if this process dies
 * without passing anything on (SIGKILL), rather than scrub on unowned.
 */
export async function rerunWithMallocTunables(): Promise<number | undefined> {
    if (process.env.HYP_MALLOC_TUNABLES === '0' || !lacksMallocTunables()) return undefined;
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit', detached: true, env: { ...withMallocTunables(), [PARENT_ENV]: String(process.pid) },
    });
    const forward = (signal: NodeJS.Signals) => { child.kill(signal); };
    for (const signal of FORWARDED) process.on(signal, forward);
    const stopForwarding = () => { for (const signal of FORWARDED) process.off(signal, forward); };
    return new Promise(resolve => {
        child.once('error', () => { stopForwarding(); resolve(undefined); });
        child.once('exit', (code, signal) => {
            stopForwarding();
            if (signal !== null) {
                // Die of the same signal, so that a shell or a scheduler sees what happened.
                process.kill(process.pid, signal);
                return;
            }
            resolve(code ?? 1);
        });
    });
}

/**
 * In a process rerunWithMallocTunables started: exit once its parent is gone (its pid is no
 * longer our parent's). A no-op elsewhere. The timer does not keep the process alive.
 */
export function exitWithRerunParent(pollMs = 500): void {
    const parent = Number(process.env[PARENT_ENV]);
    if (!Number.isInteger(parent) || parent <= 0) return;
    setInterval(() => {
        if (process.ppid !== parent) {
            console.error('hyp: the process that started this one is gone; stopping.');
            process.exit(129);
        }
    }, pollMs).unref();
}
