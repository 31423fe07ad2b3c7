// The clean pass runs the model on the examples a scrub's roots and their draws read, not on the
// whole dataset (issue 14: a 200-root scrub of `nothing` was said to run all 2,000 rows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { rootExample, scrubHypothesis } from '../../engine/scrub.js';
import { planScrub } from '../../engine/plan/planner.js';
import { correct, nothing, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
const computed = new Set<number>();
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
    const clean = prepared.runner.clean.bind(prepared.runner);
    prepared.runner.clean = async (examples, tensors) => {
        for (const e of examples) computed.add(e);
        return clean(examples, tensors);
    };
});
afterAll(async () => prepared.dispose());

/** The examples whose clean activations the plan of the first `samples` roots reads. */
function readByPlan(h: typeof nothing, samples: number, seed: number): Set<number> {
    const n = prepared.dataset.rows.length;
    const ids = Int32Array.from({ length: samples }, (_, i) => i);
    const plan = planScrub(prepared.g, prepared.planNodes(h), ids.map(r => rootExample(r, n, seed)), ids,
        { seed, ablation: h.options.ablation, unimportant: h.options.unimportant, datasetSize: n, cuts: prepared.cuts, sumCuts: prepared.sumCuts });
    return new Set(plan.table.requests.flatMap(r => (r.kind === 'clean' ? [r.example] : [])));
}

describe('the clean pass', () => {
    it.each([['nothing', nothing], ['correct', correct]] as const)('of %s at 200 roots runs only the examples its roots and draws read', async (_, h) => {
        computed.clear();
        prepared.emptyCleanCache();
        await scrubHypothesis(prepared, h, { samples: 200, seed: 5, threads: 1 });
        const read = readByPlan(h, 200, 5);
        expect(computed.size).toBeGreaterThan(0);
        expect([...computed].filter(e => !read.has(e))).toEqual([]);
        // 200 roots and their draws: a few hundred of the 4,000 examples (nothing draws one a root).
        expect(computed.size).toBeLessThan(prepared.dataset.rows.length / 4);
    });
});
