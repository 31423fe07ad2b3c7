// The engine's planned, batched, hash-consed execution against the naive recursion of the
// definition (bench/naive-scrubber.ts), root by root: the same draws must give the same values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naiveScrubRoot } from '../../bench/naive-scrubber.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { rootExample, scrubHypothesis } from '../../engine/scrub.js';
import { behaviourLoss } from '../../engine/score/behaviours.js';
import type { HypothesisSpec } from '../../engine/spec.js';
import { correct, identity, nothing, onlyA, options, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
});
afterAll(async () => prepared.runner.dispose());

const ROOTS = 40;

async function compare(h: HypothesisSpec): Promise<void> {
    const engine = await scrubHypothesis(prepared, h, { samples: ROOTS, perExample: true, batchSize: 16 });
    const n = prepared.dataset.rows.length;
    for (let r = 0; r < ROOTS; r++) {
        const x = rootExample(r, n, h.options.seed);
        expect(engine.perExample!.examples[r]).toBe(x);
        const naive = await naiveScrubRoot(prepared.g, prepared.runner, prepared.planNodes(h), x, r,
            { seed: h.options.seed, ablation: h.options.ablation, unimportant: h.options.unimportant, datasetSize: n });
        const ctx = { label: prepared.labels![x], position: undefined, clean: naive.clean as never };
        const loss = (a: typeof naive.clean) => behaviourLoss(spec.metric, a as never, ctx);
        expect(engine.perExample!.scrubbed[r]).toBeCloseTo(loss(naive.scrubbed), 5);
        expect(engine.perExample!.clean[r]).toBeCloseTo(loss(naive.clean), 5);
        expect(engine.perExample!.random[r]).toBeCloseTo(loss(naive.random), 5);
    }
}

describe('the engine agrees with the naive reference scrubber root by root', () => {
    it.each([correct, onlyA, nothing, identity])('$name', async h => compare(h));

    it('with unimportant separate and zero ablation', async () => {
        await compare({ ...onlyA, name: 'only_a_separate', options: { ...options, unimportant: 'separate' } });
        await compare({ ...onlyA, name: 'only_a_zero', options: { ...options, ablation: 'zero' } });
    });
});
