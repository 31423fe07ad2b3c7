// Scrub threads (engine/parallel/): a run split over threads gives the values of the run in one
// thread, root by root, and the same values every time; a thread that dies or a cancel stops the
// run at once with a clear error, and the next run works. The shared clean cache's slots are
// claimed, waited for, given back and recovered as a run of several threads needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { checkHypFile } from '../../language/check-file.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { MAX_THREADED_WEIGHT_BYTES, scrubRoots, threadsFor } from '../../engine/scrub.js';
import { CleanCache } from '../../engine/execute/clean-cache.js';
import { ScrubPool } from '../../engine/parallel/scrub-pool.js';
import type { HypothesisSpec } from '../../engine/spec.js';
import type { RootValues } from '../../engine/score/summary.js';
import type { HypError } from '../../engine/errors.js';

const ROOTS = { from: 0, to: 2_000 };
let prepared: PreparedScrub;
let claim1: HypothesisSpec;
let oneThread: RootValues;

beforeAll(async () => {
    const { spec } = await checkHypFile(join(import.meta.dirname, '../../examples/paren/paren.hyp'));
    prepared = await prepareScrub(spec!, { ep: 'cpu' });
    claim1 = spec!.hypotheses.find(h => h.name === 'claim1')!;
    oneThread = await scrubRoots(prepared, claim1, { threads: 1 }, ROOTS);
}, 120_000);
afterAll(async () => prepared.dispose());

const relClose = (a: Float64Array, b: Float64Array) => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b[i])));
};

describe('scrub threads', () => {
    it('split a large run on the CPU, and keep small models and small runs in one thread', () => {
        expect(threadsFor(prepared, { threads: 2 }, 2_000)).toEqual({ workers: 2, intraOp: 1 });
        expect(threadsFor(prepared, { threads: 4 }, 1_200)).toEqual({ workers: 2, intraOp: 2 });
        expect(threadsFor(prepared, { threads: 2 }, 900).workers).toBe(1);
        expect(threadsFor(prepared, { threads: 1 }, 100_000).workers).toBe(1);
    });

    it('keep a model of large weights in one thread on every core (each thread holds its own sessions)', () => {
        expect(prepared.weightBytes).toBeGreaterThan(0);
        expect(prepared.weightBytes).toBeLessThan(MAX_THREADED_WEIGHT_BYTES);
        expect(threadsFor({ ...prepared, weightBytes: MAX_THREADED_WEIGHT_BYTES + 1 }, { threads: 2 }, 100_000)).toEqual({ workers: 1, intraOp: 2 });
    });

    it('give the values of one thread, root by root, and the same values on every run', async () => {
        const a = await scrubRoots(prepared, claim1, { threads: 2 }, ROOTS);
        prepared.emptyCleanCache();
        const b = await scrubRoots(prepared, claim1, { threads: 2 }, ROOTS);
        expect([...a.examples]).toEqual([...oneThread.examples]);
        relClose(a.clean, oneThread.clean);
        relClose(a.scrubbed, oneThread.scrubbed);
        relClose(a.random, oneThread.random);
        expect(a.stats.cleanExamples).toBe(oneThread.stats.cleanExamples);
        // Each block hash-conses its own requests: one shared by two blocks is counted in both.
        expect(a.stats.requests).toBeGreaterThanOrEqual(oneThread.stats.requests);
        // Reproducible exactly, whichever thread filled which slot of the clean cache.
        expect([...b.clean, ...b.scrubbed, ...b.random]).toEqual([...a.clean, ...a.scrubbed, ...a.random]);
    });

    it('fail at once with a clear error when a thread dies, and the next run starts new threads', async () => {
        let killed = false;
        const run = scrubRoots(prepared, claim1, {
            threads: 2,
            onProgress: () => {
                if (killed) return;
                killed = true;
                void prepared.threadPool(2, 1).workers[0].terminate();
            },
        }, ROOTS);
        const error = await run.then(() => undefined, (e: HypError) => e);
        expect(killed).toBe(true);
        expect(error?.code).toBe('thread-crashed');
        expect(error?.message).toMatch(/scrub thread stopped unexpectedly/);
        expect(error?.hint).toMatch(/--threads 1/);
        const again = await scrubRoots(prepared, claim1, { threads: 2 }, ROOTS);
        relClose(again.scrubbed, oneThread.scrubbed);
    });

    it('report a thread that cannot prepare the spec with the engine\'s own located error', async () => {
        const spec = { ...prepared.spec, modelPath: join(import.meta.dirname, 'no-such-model.onnx') };
        const pool = new ScrubPool(spec, { ep: 'cpu', intraOpThreads: 1 }, 1);
        try {
            const error = await pool.run([{ hypothesis: claim1, seed: 0, range: { from: 0, to: 2 }, batchSize: 2, chunkSize: 2, cleanTensors: [] }])
                .then(() => undefined, (e: HypError) => e);
            expect(error?.location?.file).toBe(spec.modelPath);
            expect(error?.message).toMatch(/no-such-model\.onnx|cannot read|not found|does not exist/i);
            expect(pool.broken).toBe(true);
        } finally {
            await pool.dispose();
        }
    });

    it('stop on cancel, and the next run uses what the cache holds', async () => {
        const controller = new AbortController();
        const run = scrubRoots(prepared, claim1, { threads: 2, signal: controller.signal, onProgress: () => controller.abort() }, ROOTS);
        await expect(run).rejects.toMatchObject({ code: 'cancelled' });
        const again = await scrubRoots(prepared, claim1, { threads: 2 }, ROOTS);
        relClose(again.scrubbed, oneThread.scrubbed);
    });
});

describe('shared clean cache', () => {
    /** A cache over one float32 scalar tensor of 4 examples, whose clean runs return 10·e and are counted. */
    function scalarCache() {
        const ran: number[] = [];
        const runner = {
            async clean(examples: Int32Array) {
                ran.push(...examples);
                return new Map([['t', { data: Float32Array.from(examples, e => 10 * e), offset: 0, dims: [] }]]);
            },
        };
        const cache = new CleanCache(runner, new Map([['t', { dtype: 'float32', dims: [] }]]), 4);
        return { cache, ran, shared: cache.share(['t']) };
    }

    /**
     * A thread that marks slot `e` of the shared column claimed, then after `ms` sets it to `to` (0
     * given back, 2 filled, with 99 written); resolves once the claim is in place.
     */
    async function holder(state: SharedArrayBuffer, data: SharedArrayBuffer, e: number, ms: number, to: number): Promise<Worker> {
        const code = `const { workerData: w } = require('node:worker_threads');
            const s = new Int32Array(w.state); Atomics.store(s, w.e, 1);
            setTimeout(() => { new Float32Array(w.data)[w.e] = 99; Atomics.store(s, w.e, w.to); Atomics.notify(s, w.e); }, w.ms);`;
        const worker = new Worker(code, { eval: true, workerData: { state, data, e, ms, to } });
        const slots = new Int32Array(state);
        while (Atomics.load(slots, e) !== 1) await new Promise(r => setTimeout(r, 5));
        return worker;
    }

    it('waits for a slot another thread fills, and does not compute it again', async () => {
        const { cache, ran, shared } = scalarCache();
        const worker = await holder(shared.columns[0].state, shared.columns[0].data, 2, 100, 2);
        await cache.ensure(new Map([[1, new Set(['t'])], [2, new Set(['t'])]]), [], 8);
        expect(ran).toEqual([1]);
        expect(cache.get('t', 2).data[2]).toBe(99);
        await worker.terminate();
    });

    it('computes a slot another thread gave back', async () => {
        const { cache, ran, shared } = scalarCache();
        const worker = await holder(shared.columns[0].state, shared.columns[0].data, 3, 100, 0);
        await cache.ensure(new Map([[3, new Set(['t'])]]), [], 8);
        expect(ran).toEqual([3]);
        expect(cache.get('t', 3).data[3]).toBe(30);
        await worker.terminate();
    });

    it('stops waiting when the run is aborted, and recovers the slots a dead thread held', async () => {
        const { cache, ran, shared } = scalarCache();
        const worker = await holder(shared.columns[0].state, shared.columns[0].data, 0, 60_000, 2);
        // The thread holding the slot dies without giving it back.
        await worker.terminate();
        const attached = CleanCache.attach({ clean: async () => new Map() }, shared);
        // The main thread's own wait blocks its event loop: the abort comes from the cancel check,
        // through another view of the shared cache as another thread would send it.
        let checks = 0;
        await expect(cache.ensure(new Map([[0, new Set(['t'])]]), [], 8, () => {
            if (++checks > 3) attached.abortWaiters();
        })).rejects.toMatchObject({ code: 'cancelled' });
        cache.recover();
        await cache.ensure(new Map([[0, new Set(['t'])]]), [], 8);
        expect(ran).toEqual([0]);
    });
});
