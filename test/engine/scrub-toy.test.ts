// The engine against answers known exactly, on the toy model of the write-up (examples/toy):
// x = (z1, z2, z3) → A = z1 > 3, B = z2 > 3, C from z3 (weight 0 into D), D = A or B, logits from D.
// The specs are written by hand here so these tests exercise the engine alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../engine/dataset/dataset.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { chunkSizeFor, scrubHypothesis } from '../../engine/scrub.js';
import { correct, identity, nothing, onlyA, options, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
});

describe('scrubbing the toy model', () => {
    it('gives exactly 100% for the identity hypothesis', async () => {
        const r = await scrubHypothesis(prepared, identity, {});
        expect(r.lossRecovered).toBe(1);
        expect(r.ci95).toEqual([1, 1]);
        expect(r.worse).toBe(0);
        expect(r.better).toBe(0);
    });

    it('gives exactly 100% for the true circuit: d = a or b reproduces D on every root', async () => {
        const r = await scrubHypothesis(prepared, correct, {});
        expect(r.lossRecovered).toBe(1);
        expect(r.scrubbed).toBe(r.clean);
    });

    it('gives exactly 0% when nothing matters: the hypothesis is the random baseline', async () => {
        const r = await scrubHypothesis(prepared, nothing, {});
        expect(r.lossRecovered).toBe(0);
        expect(r.ci95).toEqual([0, 0]);
        expect(r.scrubbed).toBe(r.random);
    });

    it('gives 0% within the CI when nothing matters under unimportant separate too', async () => {
        const r = await scrubHypothesis(prepared, { ...nothing, options: { ...options, unimportant: 'separate' } }, {});
        expect(r.ci95[0]).toBeLessThanOrEqual(0);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(0);
    });

    it('matches the value derived from the data distribution when only A is claimed', async () => {
        // With p = P(z > 3) per coordinate (independent), y = a or b. The model is always right on
        // clean inputs, so every root's loss is ℓ_right or ℓ_wrong and loss recovered is
        // (P_scrubbed_right − q) / (1 − q), where q = P(y(x_r) = y(x)) for an independent random x_r.
        // Scrubbed: D = a(x) or b(x_o) with x_o independent. If a(x) = 1 (prob p) it is right;
        // otherwise it is right when b(x_o) = b(x): prob p² + (1 − p)².
        const { p, q } = toyProbabilities();
        const right = p + (1 - p) * (p ** 2 + (1 - p) ** 2);
        const expected = (right - q) / (1 - q);
        const r = await scrubHypothesis(prepared, onlyA, {});
        expect(r.ci95[0]).toBeLessThanOrEqual(expected);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(expected);
        expect(r.ci95[1] - r.ci95[0]).toBeLessThan(0.15);
    });

    it('does not change with batch size or chunk size', async () => {
        const base = await scrubHypothesis(prepared, onlyA, { samples: 600, perExample: true });
        const small = await scrubHypothesis(prepared, onlyA, { samples: 600, perExample: true, batchSize: 7, chunkSize: 50 });
        expect(small.perExample).toEqual(base.perExample);
        expect(small.lossRecovered).toBe(base.lossRecovered);
        expect(small.ci95).toEqual(base.ci95);
        // A budget that fits only the smallest chunks changes nothing either.
        const tight = await scrubHypothesis(prepared, onlyA, { samples: 600, perExample: true, memoryBudget: 1 });
        expect(chunkSizeFor(prepared, onlyA, { memoryBudget: 1 })).toBe(16);
        expect(tight.perExample).toEqual(base.perExample);
    });

    it('gives bit-identical results for the same seed and different ones for another seed', async () => {
        const a = await scrubHypothesis(prepared, onlyA, { samples: 500 });
        const b = await scrubHypothesis(prepared, onlyA, { samples: 500 });
        const c = await scrubHypothesis(prepared, onlyA, { samples: 500, seed: 2 });
        expect(b.lossRecovered).toBe(a.lossRecovered);
        expect(b.ci95).toEqual(a.ci95);
        expect(c.lossRecovered).not.toBe(a.lossRecovered);
    });

    it('runs a number of sessions that does not grow with the number of roots', async () => {
        const small = await scrubHypothesis(prepared, onlyA, { samples: 500, batchSize: 4096 });
        const large = await scrubHypothesis(prepared, onlyA, { samples: 3000, batchSize: 4096 });
        expect(large.stats.sessionRuns).toBe(small.stats.sessionRuns);
    });

    it('gives the value derived for zero ablation, which differs from the resampling answer', async () => {
        // With B and C zeroed instead of resampled, D = a(x): right when a(x) = 1 or b(x) = 0.
        const zero = await scrubHypothesis(prepared, { ...onlyA, options: { ...options, ablation: 'zero' } }, {});
        const { p, q } = toyProbabilities();
        const expected = (p + (1 - p) ** 2 - q) / (1 - q);
        expect(zero.ablation).toBe('zero');
        expect(zero.ci95[0]).toBeLessThanOrEqual(expected);
        expect(zero.ci95[1]).toBeGreaterThanOrEqual(expected);
    });
});

/** p = P(z > 3) per coordinate in the dataset; q = P(y(x_r) = y(x)) for independent x, x_r. */
function toyProbabilities(): { p: number; q: number } {
    const rows = loadDataset(spec.dataset.path).rows as { z: number[] }[];
    const p = rows.reduce((s, r) => s + Number(r.z[0] > 3) + Number(r.z[1] > 3), 0) / (2 * rows.length);
    const py = 1 - (1 - p) ** 2;
    return { p, q: py ** 2 + (1 - py) ** 2 };
}
