// The worker supervisor on real processes (a fake worker that speaks the protocol): results and
// progress, reuse, cancel within a second, crashes of every kind, idle exit, no orphans.
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { ScrubSpec } from '../../engine/spec.js';
import type { WorkerScrubOptions } from '../../engine/worker/protocol.js';
import { ScrubJobError, WorkerSupervisor } from '../../server/scrub/worker-supervisor.js';
import { alive, until } from '../fixtures/polling.js';

const FAKE_WORKER = fileURLToPath(new URL('./fixtures/fake-scrub-worker.mjs', import.meta.url));
const ORPHAN_PARENT = fileURLToPath(new URL('./fixtures/orphan-parent.mjs', import.meta.url));
const OPTIONS: WorkerScrubOptions = { hypotheses: ['h'], ep: 'cpu', perExample: false, allowFeaturesModule: false };

function spec(mode: string): ScrubSpec {
    return { modelPath: `fake:${mode}` } as ScrubSpec;
}

/** Whether the process exits within `withinMs`. */
const gone = (pid: number, withinMs: number): Promise<boolean> =>
    until(() => (alive(pid) ? undefined : true), `process ${pid} to exit`, withinMs, 20).catch(() => !alive(pid));

const waitFor = (condition: () => boolean, ms = 5000): Promise<unknown> => until(() => (condition() ? true : undefined), 'a condition', ms, 10);

const supervisors: WorkerSupervisor[] = [];
function supervisor(idleMs?: number): { sup: WorkerSupervisor; log: string[] } {
    const log: string[] = [];
    const sup = new WorkerSupervisor({ spawn: () => fork(FAKE_WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), onLog: l => log.push(l), idleMs });
    supervisors.push(sup);
    return { sup, log };
}

/** The job's rejection (a job that succeeds fails the test). */
function failure(job: Promise<unknown>): Promise<ScrubJobError> {
    return job.then(() => { throw new Error('the job was expected to fail'); }, e => e as ScrubJobError);
}

afterEach(async () => {
    await Promise.all(supervisors.splice(0).map(s => s.dispose()));
});

describe('worker supervisor', () => {
    test('a job returns the worker\'s results and reports its progress', async () => {
        const { sup, log } = supervisor();
        const progress: number[] = [];
        const results = await sup.run(spec('ok'), { ...OPTIONS, hypotheses: ['a', 'b'] }, { onProgress: f => progress.push(f) });
        expect(results.map(r => r.hypothesis)).toEqual(['a', 'b']);
        expect(results[0].lossRecovered).toBeCloseTo(0.9);
        expect(progress).toEqual([0.5]);
        expect(log.some(l => l.includes('fake job 1 (ok)'))).toBe(true);
    });

    test('the next job reuses the idle worker', async () => {
        const { sup } = supervisor();
        await sup.run(spec('ok'), OPTIONS);
        const pid = sup.pid;
        await sup.run(spec('ok'), OPTIONS);
        expect(sup.pid).toBe(pid);
    });

    test('cancelling kills a worker blocked in synchronous work within a second', async () => {
        const { sup } = supervisor();
        const controller = new AbortController();
        const running = sup.run(spec('busy'), OPTIONS, { signal: controller.signal });
        await waitFor(() => sup.pid !== undefined);
        const pid = sup.pid!;
        await new Promise(r => setTimeout(r, 200));
        const started = Date.now();
        controller.abort();
        await expect(running).rejects.toMatchObject({ kind: 'cancelled' });
        expect(Date.now() - started).toBeLessThan(1000);
        expect(alive(pid)).toBe(false);
        expect(sup.pid).toBeUndefined();
    });

    test('a worker killed from outside fails the job as a crash with the log, and the next job gets a fresh worker', async () => {
        const { sup } = supervisor();
        let progressed = false;
        const running = sup.run(spec('slow'), OPTIONS, { onProgress: () => (progressed = true) });
        // Killed mid-job: after the worker has logged and reported progress (a loaded machine may take a while to get there).
        await waitFor(() => progressed);
        const pid = sup.pid!;
        process.kill(pid, 'SIGKILL');
        const error = await failure(running);
        expect(error).toBeInstanceOf(ScrubJobError);
        expect(error.kind).toBe('crashed');
        expect(error.message).toContain(`pid ${pid}`);
        expect(error.message).toContain('SIGKILL');
        expect(error.logTail.some(l => l.includes('fake job 1 (slow)'))).toBe(true);
        const results = await sup.run(spec('ok'), OPTIONS);
        expect(results).toHaveLength(1);
        expect(sup.pid).not.toBe(pid);
    });

    test('a worker that exits mid-job is a crash whose log holds its stderr', async () => {
        const { sup } = supervisor();
        const error = await failure(sup.run(spec('exit'), OPTIONS));
        expect(error.kind).toBe('crashed');
        expect(error.message).toContain('exited with code 3');
        expect(error.logTail.some(l => l.includes('[stderr] fake: something native went wrong'))).toBe(true);
    });

    test('a native abort is a crash naming the signal', async () => {
        const { sup } = supervisor();
        const error = await failure(sup.run(spec('abort'), OPTIONS));
        expect(error.kind).toBe('crashed');
        expect(error.message).toContain('SIGABRT');
    });

    test('an engine error fails the job with its hint and keeps the worker', async () => {
        const { sup } = supervisor();
        const error = await failure(sup.run(spec('error'), OPTIONS));
        expect(error.kind).toBe('failed');
        expect(error.message).toBe('the model has no tensor "X" (did you mean "Y"?)');
        expect(error.detail?.code).toBe('unknown-tensor');
        const pid = sup.pid!;
        expect(alive(pid)).toBe(true);
    });

    test('an idle worker exits after the idle time', async () => {
        const { sup } = supervisor(100);
        await sup.run(spec('ok'), OPTIONS);
        const pid = sup.pid!;
        expect(await gone(pid, 2000)).toBe(true);
        expect(sup.pid).toBeUndefined();
    });

    test('dispose kills a running worker', async () => {
        const { sup } = supervisor();
        const running = failure(sup.run(spec('slow'), OPTIONS));
        await waitFor(() => sup.pid !== undefined);
        const pid = sup.pid!;
        await sup.dispose();
        expect(alive(pid)).toBe(false);
        expect((await running).kind).toBe('crashed');
    });

    test('a worker whose parent dies exits too: no orphan', async () => {
        const parent = spawn(process.execPath, [ORPHAN_PARENT, FAKE_WORKER], { stdio: ['ignore', 'pipe', 'inherit'] });
        const pid = await new Promise<number>(resolve => parent.stdout.once('data', d => resolve(Number(String(d).trim()))));
        expect(alive(pid)).toBe(true);
        parent.kill('SIGKILL');
        expect(await gone(pid, 2000)).toBe(true);
    });

    test('a worker that cannot be started fails the job, and the supervisor stays usable', async () => {
        let attempts = 0;
        const sup = new WorkerSupervisor({
            spawn: () => {
                if (attempts++ === 0) throw new Error('the scrub worker bundle is missing: /x/hyp-scrub-worker.cjs');
                return fork(FAKE_WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
            },
            onLog: () => undefined,
        });
        supervisors.push(sup);
        const error = await failure(sup.run(spec('ok'), OPTIONS));
        expect(error.kind).toBe('crashed');
        expect(error.message).toBe('cannot start the scrub worker: the scrub worker bundle is missing: /x/hyp-scrub-worker.cjs');
        expect(await sup.run(spec('ok'), OPTIONS)).toHaveLength(1);
    });
});
