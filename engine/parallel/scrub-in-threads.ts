// A run split over scrub threads: contiguous blocks of roots, one per thread, each sized for its
// share of the memory budget, all reading and filling one clean cache in shared memory. A root's
// values depend only on the seed and its index, so the blocks concatenated are the run's values.
import type { PreparedScrub } from '../prepare.js';
import type { HypothesisSpec } from '../spec.js';
import type { RootValues } from '../score/summary.js';
import { concatRootValues } from '../score/summary.js';
import { batchSizeFor, DEFAULT_MEMORY_BUDGET, threadChunkSize, type ScrubOptions, type Sizing } from '../scrub.js';

export interface ThreadedRun {
    seed: number;
    range: { from: number; to: number };
    sizing: Sizing;
    opts: ScrubOptions;
    progress: (fraction: number) => void;
}

export async function scrubInThreads(prepared: PreparedScrub, hypothesis: HypothesisSpec, run: ThreadedRun,
    threads: { workers: number; intraOp: number }): Promise<RootValues> {
    const { range, sizing, opts } = run;
    const pool = prepared.threadPool(threads.workers, threads.intraOp);
    const budget = (opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET) / threads.workers;
    const total = range.to - range.from;
    const blocks = Array.from({ length: threads.workers }, (_, k) => ({
        from: range.from + Math.floor((k * total) / threads.workers),
        to: range.from + Math.floor(((k + 1) * total) / threads.workers),
    }));
    // Every tensor the run may read clean gets a shared column, so that no thread keeps its own.
    const shared = sizing.cache?.share(sizing.readTensors);
    const fractions = new Float64Array(blocks.length);
    const done = await pool.run(blocks.map(block => ({
        hypothesis,
        seed: run.seed,
        range: block,
        batchSize: batchSizeFor(prepared, { ...opts, memoryBudget: budget }),
        // The chunk's activations are each thread's own; the cache is counted once.
        chunkSize: threadChunkSize(sizing.chunkSize, threads.workers),
        cache: shared,
        cleanTensors: [...sizing.cleanTensors],
    })), {
        signal: opts.signal,
        onFailure: () => sizing.cache?.abortWaiters(),
        onProgress: (k, fraction) => {
            fractions[k] = fraction * (blocks[k].to - blocks[k].from);
            run.progress(fractions.reduce((a, b) => a + b, 0) / total);
        },
    }).finally(() => sizing.cache?.recover());
    // Distinct examples read clean, over the blocks (their own counts overlap).
    const seen = new Uint8Array(prepared.dataset.rows.length);
    for (const d of done) for (let e = 0; e < seen.length; e++) seen[e] |= d.cleanSeen[e];
    const values = concatRootValues(done.map(d => d.values));
    values.stats.cleanExamples = seen.reduce((a, b) => a + b, 0);
    return values;
}
