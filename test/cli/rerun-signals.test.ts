// `hyp scrub` runs itself again with glibc's allocator settings (engine/runtime/malloc-tunables.ts).
// The pair must behave as one process: Ctrl+C or a `kill` of the pid the user started cancels the
// scrub, the exit status is the scrub's own or the same signal, and a parent killed outright does
// not leave the scrub running unowned.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.mjs');

/** The pid's children (Linux). */
function childrenOf(pid: number): number[] {
    try {
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

/** Running: present in /proc and not a zombie left for a reaper. */
function running(pid: number): boolean {
    if (!existsSync(`/proc/${pid}/stat`)) return false;
    try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
        return false;
    }
}

async function until<T>(what: string, look: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = look();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 100));
    }
}

/** A scrub long enough to be interrupted, started as a user would, once its rerun is scrubbing. */
async function startLongScrub(): Promise<{ parent: ChildProcess; scrubber: number; stderr: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
    const parent = spawn(process.execPath, [CLI, 'scrub', join(ROOT, 'examples/torch-export/tiny_gpt.hyp'), '--hypothesis', 'l0_head0', '--samples', '1000000'], {
        env: { ...process.env, GLIBC_TUNABLES: '', HYP_MALLOC_TUNABLES: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    parent.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => parent.once('exit', (code, signal) => resolve({ code, signal })));
    const scrubber = await until('the rerun', () => childrenOf(parent.pid!)[0]);
    // Progress lines (stderr is not a terminal) say the scrub itself has started.
    await until('the scrub to start', () => (/hyp: l0_head0/.test(err) ? true : undefined));
    return { parent, scrubber, stderr: () => err, ended };
}

describe.runIf(process.platform === 'linux')('hyp scrub and the process it reruns itself in', () => {
    it('SIGINT to the pid the user started cancels the scrub once, gracefully', async () => {
        const { parent, scrubber, stderr, ended } = await startLongScrub();
        expect(running(scrubber)).toBe(true);
        parent.kill('SIGINT');
        expect(await ended).toEqual({ code: 1, signal: null });
        expect(stderr()).toContain('scrubbing was cancelled');
        await until('the rerun to end', () => (running(scrubber) ? undefined : true), 10_000);
    }, 120_000);

    it('SIGTERM ends both, and the pid the user started dies of it', async () => {
        const { parent, scrubber, ended } = await startLongScrub();
        parent.kill('SIGTERM');
        expect(await ended).toEqual({ code: null, signal: 'SIGTERM' });
        await until('the rerun to end', () => (running(scrubber) ? undefined : true), 10_000);
    }, 120_000);

    it('a parent killed outright does not leave the scrub running', async () => {
        const { parent, scrubber, ended } = await startLongScrub();
        parent.kill('SIGKILL');
        expect((await ended).signal).toBe('SIGKILL');
        await until('the orphaned rerun to stop', () => (running(scrubber) ? undefined : true), 10_000);
    }, 120_000);
});
