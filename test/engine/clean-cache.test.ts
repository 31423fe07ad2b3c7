// The dataset-wide clean cache: each example's activation of a tensor is fetched from the full
// model once per prepared spec, whatever the chunking and however many hypotheses read it, and a
// budget too small for the cache turns it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis, sizingFor } from '../../engine/scrub.js';
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

    it('is used when what the scrub reads takes at most 40% of the budget over the dataset', async () => {
        // A scrub allocates the columns of what only_a reads (and nothing more is read here).
        await scrubHypothesis(prepared, onlyA, { samples: 100 });
        const cache = prepared.cleanCache();
        expect(sizingFor(prepared, onlyA, {}).cache).toBe(cache);
        const bytes = cache.bytesWith([]);
        expect(bytes).toBeGreaterThan(0);
        expect(sizingFor(prepared, onlyA, { memoryBudget: Math.ceil(bytes / 0.4) }).cache).toBe(cache);
        expect(sizingFor(prepared, onlyA, { memoryBudget: Math.floor(bytes / 0.4) - 1 }).cache).toBeUndefined();
    });
});
