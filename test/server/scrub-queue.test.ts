// The job queue: one job at a time in order, identical jobs joined, cancelling queued and running jobs.
import { describe, expect, test } from 'vitest';
import type { ScrubResult } from '../../engine/result.js';
import { ScrubQueue, type JobRequest } from '../../server/scrub/job-queue.js';
import type { RunHooks } from '../../server/scrub/worker-supervisor.js';

/** A job whose run waits until the test releases it, recording starts and the abort signal. */
function controllable(key: string, log: string[]) {
    let release!: () => void;
    let signal!: AbortSignal;
    const request: JobRequest = {
        key, uri: 'file:///a.hyp', hypothesis: key,
        run: (hooks: RunHooks) => new Promise<ScrubResult[]>((resolve, reject) => {
            log.push(`start ${key}`);
            signal = hooks.signal!;
            hooks.onProgress?.(0.25);
            signal.addEventListener('abort', () => reject(new Error(`aborted ${key}`)));
            release = () => resolve([{ hypothesis: key } as ScrubResult]);
        }),
    };
    return { request, release: () => release(), signal: () => signal };
}

const tick = () => new Promise(r => setTimeout(r, 0));

/** A job that, like the real worker, takes until the test says so to stop after an abort. */
function slowToStop(key: string) {
    let stop!: () => void;
    const request: JobRequest = {
        key, uri: 'file:///a.hyp', hypothesis: key,
        run: () => new Promise<ScrubResult[]>((_, reject) => {
            stop = () => reject(new Error(`stopped ${key}`));
        }),
    };
    return { request, stop: () => stop() };
}

describe('scrub queue', () => {
    test('a running job being stopped is cancelled once, and asking for it again queues a new job instead of joining it', async () => {
        const queue = new ScrubQueue();
        const a = slowToStop('a');
        const first = queue.submit(a.request).job;
        await tick();
        expect(queue.cancel(() => true)).toBe(1);
        expect(queue.cancel(() => true)).toBe(0);
        const again = queue.submit(slowToStop('a').request);
        expect(again.joined).toBe(false);
        expect(again.job).not.toBe(first);
        expect(queue.summaries().map(j => j.state)).toEqual(['running', 'queued']);
        a.stop();
        await expect(first.done).rejects.toThrow('stopped a');
        await tick();
        expect(queue.summaries().map(j => j.state)).toEqual(['running']);
        expect(queue.cancel(() => true)).toBe(1);
    });

    test('different jobs run one at a time, in order', async () => {
        const log: string[] = [];
        const queue = new ScrubQueue();
        const a = controllable('a', log), b = controllable('b', log);
        const ja = queue.submit(a.request).job, jb = queue.submit(b.request).job;
        await tick();
        expect(log).toEqual(['start a']);
        expect(queue.summaries()).toEqual([
            { uri: 'file:///a.hyp', hypothesis: 'a', state: 'running', fraction: 0.25 },
            { uri: 'file:///a.hyp', hypothesis: 'b', state: 'queued', fraction: 0 },
        ]);
        a.release();
        expect((await ja.done)[0].hypothesis).toBe('a');
        await tick();
        expect(log).toEqual(['start a', 'start b']);
        b.release();
        await jb.done;
        expect(queue.list()).toHaveLength(0);
    });

    test('submitting the same key twice joins the first job instead of running it again', async () => {
        const log: string[] = [];
        const queue = new ScrubQueue();
        const a = controllable('a', log);
        const first = queue.submit(a.request);
        const second = queue.submit(controllable('a', log).request);
        expect(first.joined).toBe(false);
        expect(second.joined).toBe(true);
        expect(second.job).toBe(first.job);
        await tick();
        a.release();
        await first.job.done;
        expect(log).toEqual(['start a']);
    });

    test('cancelling a queued job drops it without running it', async () => {
        const log: string[] = [];
        const queue = new ScrubQueue();
        const a = controllable('a', log), b = controllable('b', log);
        queue.submit(a.request);
        const jb = queue.submit(b.request).job;
        expect(queue.cancel(j => j.request.key === 'b')).toBe(1);
        await expect(jb.done).rejects.toMatchObject({ kind: 'cancelled' });
        a.release();
        await tick();
        await tick();
        expect(log).toEqual(['start a']);
    });

    test('cancelling the running job aborts its signal and the next job starts', async () => {
        const log: string[] = [];
        const queue = new ScrubQueue();
        const a = controllable('a', log), b = controllable('b', log);
        const ja = queue.submit(a.request).job;
        queue.submit(b.request);
        await tick();
        queue.cancel(j => j.request.key === 'a');
        expect(a.signal().aborted).toBe(true);
        await expect(ja.done).rejects.toThrow('aborted a');
        await tick();
        expect(log).toEqual(['start a', 'start b']);
        b.release();
    });

    test('listeners hear every change', async () => {
        const queue = new ScrubQueue();
        let changes = 0;
        queue.onChange(() => changes++);
        const a = controllable('a', []);
        const job = queue.submit(a.request).job;
        await tick();
        a.release();
        await job.done;
        await tick();
        // queued, running, progress, finished
        expect(changes).toBe(4);
    });
});
