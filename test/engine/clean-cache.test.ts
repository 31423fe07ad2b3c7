// The dataset-wide clean cache: each example's activation of a tensor is fetched from the full
// model once per prepared spec, whatever the chunking and however many hypotheses read it, and a
// budget too small for the cache turns it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { DEFAULT_MEMORY_BUDGET, scrubHypothesis } from '../../engine/scrub.js';
import { correct, onlyA, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
const cleaned: string[] = [];
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
    const clean = prepared.runner.clean.bind(prepared.runner);
    prepared.runner.clean = async (examples, tensors) => {
        for (const e of examples) for (const t of tensors) cleaned.push(`${t}@${e}`);
        return clean(examples, tensors);
    };
});
afterAll(async () => prepared.runner.dispose());

describe('clean cache', () => {
    it('fetches each example\'s activation of a tensor at most once across chunks and hypotheses', async () => {
        cleaned.length = 0;
        const a = await scrubHypothesis(prepared, onlyA, { samples: 400, chunkSize: 50, perExample: true });
        const afterFirst = cleaned.length;
        await scrubHypothesis(prepared, correct, { samples: 400, chunkSize: 50 });
        expect(new Set(cleaned).size).toBe(cleaned.length);
        expect(afterFirst).toBeGreaterThan(0);
        expect(new Set(cleaned.slice(0, afterFirst).map(k => k.split('@')[1])).size).toBeLessThanOrEqual(prepared.dataset.rows.length);
        // Read from the cache or computed per chunk, the values are the same.
        const b = await scrubHypothesis(prepared, onlyA, { samples: 400, chunkSize: 50, perExample: true, memoryBudget: 1 });
        expect(b.perExample).toEqual(a.perExample);
    });

    it('is off when the dataset\'s activations take more than a quarter of the budget', () => {
        const bytes = prepared.dataset.rows.length * prepared.bytesPerExample;
        expect(prepared.cleanCache(DEFAULT_MEMORY_BUDGET)).toBeDefined();
        expect(prepared.cleanCache(4 * bytes)).toBeDefined();
        expect(prepared.cleanCache(4 * bytes - 1)).toBeUndefined();
    });
});
