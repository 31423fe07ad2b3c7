// A run whose clean reads do not fit the cache says so before it starts, and names a budget that
// runs each example once (issue 14 item 1: the GPT-2-sized bench's l11_from_input ran 11 forward
// passes' worth of examples for 1,000 roots, silently).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { cacheNotice, scrubHypothesis, sizingFor } from '../../engine/scrub.js';
import { correct, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
const runs: number[] = [];
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
    const clean = prepared.runner.clean.bind(prepared.runner);
    prepared.runner.clean = async (examples, tensors) => {
        runs.push(examples.length);
        return clean(examples, tensors);
    };
});
afterAll(async () => prepared.dispose());

const SAMPLES = 2000;
// Far below what the toy's clean reads take over its 4,000 examples.
const TINY = 64 * 1024;

describe('the clean-cache notice', () => {
    it('says nothing when the cache fits (the default budget)', () => {
        expect(sizingFor(prepared, correct, { samples: SAMPLES, threads: 1 }).cache).toBeDefined();
        expect(cacheNotice(prepared, correct, { samples: SAMPLES, threads: 1 }, SAMPLES)).toBeUndefined();
    });

    it('names the budget that keeps the clean reads, and that budget runs fewer examples', async () => {
        const opts = { samples: SAMPLES, threads: 1, memoryBudget: TINY };
        const notice = cacheNotice(prepared, correct, opts, SAMPLES, 64 * 1024 ** 3);
        expect(notice).toMatch(/^the clean activations correct reads take \d+ KiB over the dataset's 4000 examples, more than the clean cache's 40% of the memory budget \(64 KiB\): each of its \d+ chunks of roots runs the model again on the examples it reads; --memory-budget (\d+)G would run each example once$/);
        const suggested = Number(/--memory-budget (\d+)G/.exec(notice!)![1]) * 1024 ** 3;
        expect(sizingFor(prepared, correct, { ...opts, memoryBudget: suggested }).cache).toBeDefined();
        expect(cacheNotice(prepared, correct, { ...opts, memoryBudget: suggested }, SAMPLES)).toBeUndefined();

        const examplesRun = async (memoryBudget: number) => {
            prepared.emptyCleanCache();
            runs.length = 0;
            const result = await scrubHypothesis(prepared, correct, { ...opts, memoryBudget });
            return { examples: runs.reduce((a, b) => a + b, 0), result };
        };
        const tiny = await examplesRun(TINY);
        const kept = await examplesRun(suggested);
        expect(tiny.examples).toBeGreaterThan(kept.examples);
        expect(kept.examples).toBeLessThanOrEqual(prepared.dataset.rows.length);
        // The budget changes the work, never the numbers.
        expect(tiny.result.lossRecovered).toBe(kept.result.lossRecovered);
    });

    it('says when the budget it names is more than the machine has free', () => {
        const notice = cacheNotice(prepared, correct, { samples: SAMPLES, threads: 1, memoryBudget: TINY }, SAMPLES, 1024);
        expect(notice).toMatch(/would run each example once \(more than the 1 KiB this machine has free\)$/);
    });

    it('says nothing for a run of one chunk, or one whose chunks the user sized', () => {
        expect(cacheNotice(prepared, correct, { samples: 20, threads: 1, memoryBudget: TINY }, 20)).toBeUndefined();
        expect(cacheNotice(prepared, correct, { samples: SAMPLES, threads: 1, memoryBudget: TINY, chunkSize: 100 }, SAMPLES)).toBeUndefined();
    });
});
