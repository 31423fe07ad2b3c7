// Known answers where the semantics of DESIGN.md §2.3 matter, on hand-built models with correlated
// inputs (test/fixtures/correlated-models.ts). Each expectation is derived below on paper from the
// dataset's exact counts; the rival reading of the semantics that a test rules out is derived next
// to it. Runs have 4,000 roots = each of the 1,000 rows exactly four times, so the clean value is
// exact and only the draws are random: a drawn value must be within 4 standard errors (computed
// from the per-root values, not from the engine's bootstrap) of its known value.
//
// Notation: every model ends in logits (−s, s), s = L·(t − ½), t ∈ {0, 1} (L = 4), and is right on
// every clean input, so a root's cross-entropy is RIGHT = softplus(−L), or WRONG = RIGHT + L when the
// scrubbed t differs from the label. With P_s and P_r the probabilities that the scrubbed and the
// random-baseline outputs are wrong: E_clean = RIGHT, E_scrubbed = RIGHT + L·P_s, E_random = RIGHT +
// L·P_r, and loss recovered = 1 − P_s / P_r.
import { afterAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import type { ScrubResult } from '../../engine/result.js';
import type { HypothesisSpec, MetricSpec } from '../../engine/spec.js';
import { nodeEffectVariants } from '../../server/scrub/node-effects.js';
import { ANY, L, RIGHT, WRONG, bit, hypothesis, removeCases, softplus, writeCase, type CaseName } from '../fixtures/correlated-models.js';
import { expectNear, lossRecoveredEstimate, mean, sigmaOfMean } from '../fixtures/estimates.js';

const prepared = new Map<string, PreparedScrub>();
async function scrubCase(name: CaseName, h: HypothesisSpec, metric: MetricSpec = { kind: 'cross_entropy' }): Promise<ScrubResult> {
    const key = `${name}/${metric.kind}`;
    let p = prepared.get(key);
    if (p === undefined) prepared.set(key, p = await prepareScrub(writeCase(name, metric), { ep: 'cpu', threads: 1 }));
    return scrubHypothesis(p, h, { perExample: true });
}
afterAll(async () => {
    for (const p of prepared.values()) await p.dispose();
    removeCases();
});

/** Asserts E_scrubbed, E_random and loss recovered against P_s and P_r (cross-entropy). */
function expectCrossEntropy(r: ScrubResult, ps: number, pr: number): void {
    const v = r.perExample!;
    expect(r.clean).toBeCloseTo(RIGHT, 6);
    expect(v.clean.every(c => Math.abs(c - RIGHT) < 1e-6)).toBe(true);
    expectNear('E_scrubbed', r.scrubbed, RIGHT + L * ps, sigmaOfMean(v.scrubbed));
    expectNear('E_random', r.random, RIGHT + L * pr, sigmaOfMean(v.random));
    const lr = lossRecoveredEstimate(v);
    expect(r.lossRecovered).toBeCloseTo(lr.value, 9);
    // σ = 0 when every root's scrubbed value is its random baseline's (the claim draws, first, the
    // very example the baseline draws): then the value is exact.
    if (lr.sigma === 0) expect(r.lossRecovered).toBeCloseTo(1 - ps / pr, 9);
    else expectNear('loss recovered', r.lossRecovered, 1 - ps / pr, lr.sigma);
}

// pair: x = (u, v), hooks A = u, B = v, t = [A = B], y = [u = v]; P(u=1) = P(v=1) = ½, P(u = v) = 0.9.
// Random baseline: the model on an independent x', right when [u' = v'] = y:
// P_r = P(y ≠ y') = 2 · 0.9 · 0.1 = 0.18.
const PAIR_PR = 0.18;

describe('known answers: each claimed node draws its own example (pair model)', () => {
    // a -> A and b -> B with a feature every example shares: x_a and x_b are two independent
    // uniform draws, so t = [u(x_a) = v(x_b)] with P(t = 1) = ½·½ + ½·½ = ½, independent of x:
    // P_s = ½ and loss recovered = 1 − 0.5 / 0.18 = −16/9 (the claim breaks the correlation the model
    // relies on, which is worse than running it on a random input).
    // One example drawn per root and reused by both nodes would keep u and v of one row together:
    // t ~ Bernoulli(0.9) independent of x, P_s = 0.18 and loss recovered 0.
    const siblings = hypothesis('siblings', [
        { name: 'a', graphNode: 'A', feature: ANY, parents: ['input.u'] },
        { name: 'b', graphNode: 'B', feature: ANY, parents: ['input.v'] },
        { name: 'out', graphNode: 'output', feature: null, parents: ['a', 'b'] },
    ]);

    it('two sibling claims resampled from the whole dataset break the correlation: −16/9', async () => {
        const r = await scrubCase('pair', siblings);
        expectCrossEntropy(r, 0.5, PAIR_PR);
        expect(r.lossRecovered).toBeLessThan(-1);
    });

    // Nothing claimed: A and B are the output's unimportant parents. Shared (the default): one x_o
    // for both, so the output is the model on x_o, which is the random baseline's draw (common
    // random numbers): equal on every root, 0% exactly. Separate: x_A, x_B independent, P_s = ½ as
    // for the siblings above: −16/9.
    const nothing = hypothesis('nothing', [{ name: 'out', graphNode: 'output', feature: null, parents: [] }]);

    it('unimportant parents share one draw: "nothing matters" is the random baseline on every root', async () => {
        const r = await scrubCase('pair', nothing);
        expect(r.perExample!.scrubbed).toEqual(r.perExample!.random);
        expect(r.lossRecovered).toBe(0);
        expect(r.ci95).toEqual([0, 0]);
        expectNear('E_random', r.random, RIGHT + L * PAIR_PR, sigmaOfMean(r.perExample!.random));
    });

    it('with unimportant separate each unimportant parent draws its own example: −16/9', async () => {
        const r = await scrubCase('pair', { ...nothing, name: 'nothing_separate', options: { ...nothing.options, unimportant: 'separate' } });
        expectCrossEntropy(r, 0.5, PAIR_PR);
    });

    // The other metrics on the same claim (P(t = y) per root as above: ½ scrubbed, 0.82 random).
    it('accuracy is a score: clean 1, scrubbed ½, random 0.82, loss recovered (0.5 − 0.82) / (1 − 0.82) = −16/9', async () => {
        const r = await scrubCase('pair', siblings, { kind: 'accuracy' });
        const v = r.perExample!;
        expect(r.clean).toBe(1);
        expectNear('accuracy scrubbed', r.scrubbed, 0.5, sigmaOfMean(v.scrubbed));
        expectNear('accuracy random', r.random, 1 - PAIR_PR, sigmaOfMean(v.random));
        expectNear('loss recovered', r.lossRecovered, -16 / 9, lossRecoveredEstimate(v).sigma);
        // A root is worse exactly when its scrubbed output is wrong (accuracy 1 → 0), never better.
        expect(r.worse).toBe(v.scrubbed.filter(s => s === 0).length / v.scrubbed.length);
        expect(r.better).toBe(0);
        // Hurt most: every hurt root by 1, so the ten smallest example indices among the hurt roots, each
        // once although a row is a root four times here, shown as scores (0, not the −0 of a negated 0).
        const hurt = [...new Set(v.examples.filter((_, i) => v.scrubbed[i] === 0))].sort((a, b) => a - b).slice(0, 10);
        expect(r.hurtMost).toEqual(hurt.map(example => ({ example, clean: 1, scrubbed: 0 })));
        expect(r.hurtMost.every(h => !Object.is(h.scrubbed, -0))).toBe(true);
        expect(v.scrubbed.some(s => Object.is(s, -0))).toBe(false);
    });

    it('kl to the clean output: a wrong root costs (2σ(L) − 1)·L, so ½ of it scrubbed and 0.18 of it random', async () => {
        // KL(Bernoulli(σ(L)) ‖ Bernoulli(σ(−L))) = (2σ(L) − 1) · log(σ(L) / σ(−L)) = (2σ(L) − 1) · L.
        const k = (2 / (1 + Math.exp(-L)) - 1) * L;
        const r = await scrubCase('pair', siblings, { kind: 'kl' });
        const v = r.perExample!;
        expect(r.clean).toBe(0);
        expect(v.scrubbed.every(s => Math.abs(s) < 1e-6 || Math.abs(s - k) < 1e-5)).toBe(true);
        expectNear('kl scrubbed', r.scrubbed, 0.5 * k, sigmaOfMean(v.scrubbed));
        expectNear('kl random', r.random, PAIR_PR * k, sigmaOfMean(v.random));
        expectNear('loss recovered', r.lossRecovered, -16 / 9, lossRecoveredEstimate(v).sigma);
    });

    it('logit_diff(1, 0) is the label-free score logit₁ − logit₀ = ±L: clean 0.8·L, scrubbed 0, random 0.8·L', async () => {
        // logit₁ − logit₀ = 2s = L·(2t − 1). Clean t = [u = v]: 0.9·L − 0.1·L = 0.8·L exactly. Scrubbed
        // P(t = 1) = ½: 0. Random: the model on x', same distribution as clean: 0.8·L. (The random
        // baseline of a label-free score equals the clean expectation, so its loss recovered is a
        // ratio of noise; not asserted.)
        const r = await scrubCase('pair', siblings, { kind: 'logit_diff', a: 1, b: 0 });
        const v = r.perExample!;
        expect(r.clean).toBeCloseTo(0.8 * L, 6);
        expect(v.scrubbed.every(s => Math.abs(Math.abs(s) - L) < 1e-6)).toBe(true);
        expectNear('logit_diff scrubbed', r.scrubbed, 0, sigmaOfMean(v.scrubbed));
        expectNear('logit_diff random', r.random, 0.8 * L, sigmaOfMean(v.random));
    });

    it('logit_diff without classes scores x\'s label: clean L, scrubbed 0, random 0.64·L, loss recovered −16/9', async () => {
        // logit_y − logit_{1−y} = +L when t = y, −L otherwise. Clean: always right, L. Scrubbed:
        // P(t = y) = ½, 0. Random: P(t' = y) = 0.82, 0.64·L. Mirror for scores: (0 − 0.64·L) / (L − 0.64·L) = −16/9,
        // as for accuracy (the same right/wrong events, scaled). The label-free logit_diff(1, 0) above
        // has no such baseline.
        const r = await scrubCase('pair', siblings, { kind: 'logit_diff_label' });
        const v = r.perExample!;
        expect(r.clean).toBeCloseTo(L, 6);
        expect(v.scrubbed.every(s => Math.abs(Math.abs(s) - L) < 1e-5)).toBe(true);
        expectNear('logit_diff scrubbed', r.scrubbed, 0, sigmaOfMean(v.scrubbed));
        expectNear('logit_diff random', r.random, (1 - 2 * PAIR_PR) * L, sigmaOfMean(v.random));
        expectNear('loss recovered', r.lossRecovered, -16 / 9, lossRecoveredEstimate(v).sigma);
    });
});

// chain: x = (u, w), hooks A = u, D = A, t = D, y = u; P(u = 1) = 0.7 (w independent, unread).
// Random baseline: P_r = P(u' ≠ u) = 2 · 0.7 · 0.3 = 0.42.
const CHAIN_PR = 0.42;

describe('known answers: where a node\'s example comes from (chain model)', () => {
    it('a node without a feature is computed on its child\'s drawn example, not on the root: 0%', async () => {
        // d -> D = true draws x_d uniformly; a (no feature) is computed on x_d: t = u(x_d), wrong with
        // P_s = 0.42 = P_r, so 0%. Computed on the root instead, t = u(x): 100%.
        const r = await scrubCase('chain', hypothesis('featureless_under_any', [
            { name: 'a', graphNode: 'A', feature: null, parents: ['input.u'] },
            { name: 'd', graphNode: 'D', feature: ANY, parents: ['a'] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ]));
        expectCrossEntropy(r, CHAIN_PR, CHAIN_PR);
    });

    it('a node without a feature is not resampled: under d = u it keeps u and recovers exactly 100%', async () => {
        // d -> D = u draws x_d with u(x_d) = u(x); a is computed on x_d: t = u(x) on every root.
        // Drawing a's example from the whole dataset instead would give t = u(x_a), P_s = 0.42: 0%.
        const r = await scrubCase('chain', hypothesis('featureless_under_class', [
            { name: 'a', graphNode: 'A', feature: null, parents: ['input.u'] },
            { name: 'd', graphNode: 'D', feature: bit(0), parents: ['a'] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ]));
        expect(r.lossRecovered).toBe(1);
        expect(r.perExample!.scrubbed).toEqual(r.perExample!.clean);
    });

    it('a parent is drawn from its feature class at its child\'s example, not at the root\'s: 0%', async () => {
        // d -> D = true draws x_d uniformly; a -> A = u draws x_a with u(x_a) = u(x_d): t = u(x_d),
        // P_s = 0.42, 0%. Drawn from the class of u(x) (the root's value) instead: t = u(x), 100%.
        const r = await scrubCase('chain', hypothesis('class_at_child', [
            { name: 'a', graphNode: 'A', feature: bit(0), parents: ['input.u'] },
            { name: 'd', graphNode: 'D', feature: ANY, parents: ['a'] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ]));
        expectCrossEntropy(r, CHAIN_PR, CHAIN_PR);
    });

    // Mean ablation: an unimportant parent is replaced by its mean over the dataset, here A or D,
    // whose mean is P(u = 1) = 0.7 (700 of the 1,000 rows). Then t = 0.7 on every root, s = 0.2·L,
    // and the cross-entropy is softplus(−0.4·L) for y = 1 and softplus(0.4·L) for y = 0, with no
    // randomness: E_scrubbed = 0.7·softplus(−0.4L) + 0.3·softplus(0.4L) ≈ 0.6631. Zero ablation
    // instead: t = 0, s = −L/2: E = 0.7·WRONG + 0.3·RIGHT ≈ 2.8182.
    const meanValue = 0.7 * softplus(-0.4 * L) + 0.3 * softplus(0.4 * L);

    it('mean ablation replaces the output\'s unimportant parent by its dataset mean: E_scrubbed ≈ 0.6631 exactly', async () => {
        const r = await scrubCase('chain', hypothesis('nothing_mean', [{ name: 'out', graphNode: 'output', feature: null, parents: [] }], { ablation: 'mean' }));
        expect(r.scrubbed).toBeCloseTo(meanValue, 5);
        expectNear('E_random', r.random, RIGHT + L * CHAIN_PR, sigmaOfMean(r.perExample!.random));
        expect(r.lossRecovered).toBeCloseTo((r.random - meanValue) / (r.random - RIGHT), 5);
    });

    it('mean ablation reaches an unimportant parent below a claimed node: the same 0.6631', async () => {
        // d -> D = u claims D but not its parent A: D's local function reads A = 0.7, so t = 0.7.
        const r = await scrubCase('chain', hypothesis('d_without_a_mean', [
            { name: 'd', graphNode: 'D', feature: bit(0), parents: [] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ], { ablation: 'mean' }));
        expect(r.scrubbed).toBeCloseTo(meanValue, 5);
        const zero = await scrubCase('chain', hypothesis('d_without_a_zero', [
            { name: 'd', graphNode: 'D', feature: bit(0), parents: [] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ], { ablation: 'zero' }));
        expect(zero.scrubbed).toBeCloseTo(0.7 * WRONG + 0.3 * RIGHT, 5);
    });
});

const sharedParent = hypothesis('shared_parent', [
    { name: 'c', graphNode: 'C', feature: ANY, parents: ['input.u'] },
    { name: 'a', graphNode: 'A', feature: null, parents: ['c'] },
    { name: 'b', graphNode: 'B', feature: null, parents: ['c'] },
    { name: 'e', graphNode: 'E', feature: bit(1), parents: ['input.w'] },
    { name: 'out', graphNode: 'output', feature: null, parents: ['a', 'b', 'e'] },
]);

describe('known answers: one draw per path of the treeified hypothesis (tree model)', () => {
    it('a node read by two children is drawn separately on each path: 0%, where one draw per node gives 100%', async () => {
        // tree: x = (u, w) uniform and independent; C = u read by A = C and B = C; E = w;
        // t = E when A = B, else 1 − E; y = w. Claims: c -> C = true <- input.u; a -> A and b -> B
        // without features (computed on the root x) reading c; e -> E = w <- input.w.
        // Treeified, c is scrubbed once on a's path and once on b's, from two independent uniform
        // draws x1, x2: A = u(x1), B = u(x2), equal with probability ½; E = w(x). So t = w(x) with
        // probability ½: P_s = ½; P_r = P(w' ≠ w) = ½; loss recovered 0.
        // One draw of c per root (the hypothesis as a DAG, not a tree) gives A = B: 100% exactly.
        const r = await scrubCase('tree', sharedParent);
        expectCrossEntropy(r, 0.5, 0.5);
        expect(mean(r.perExample!.scrubbed)).toBeGreaterThan(RIGHT + 0.4 * L);
    });
});

describe('known answers: node effects (one claim scrubbed alone, every other claim pinned to its example)', () => {
    // nodeEffectVariants (the editor's per-node inlay hints) pins every other featured node to the
    // pair (its feature, the model inputs): it can only be resampled to a row with the same x.
    it('tree: c alone breaks A = B as the whole hypothesis does (0%); e alone keeps everything (100%)', async () => {
        const [aloneC, aloneE] = nodeEffectVariants(sharedParent, writeCase('tree').dataset);
        expect([aloneC.name, aloneE.name]).toEqual(['shared_parent#alone:c', 'shared_parent#alone:e']);
        // alone:c: E is pinned (E = w(x)); c is still drawn uniformly on each of its two paths:
        // P_s = ½ = P_r, 0%.
        expectCrossEntropy(await scrubCase('tree', aloneC), 0.5, 0.5);
        // alone:e: c is pinned, so on both paths it is a row with x's own input: A = B = u(x); e is
        // drawn with w = w(x). Every root is right: 100% exactly.
        const e = await scrubCase('tree', aloneE);
        expect(e.lossRecovered).toBe(1);
        expect(e.perExample!.scrubbed).toEqual(e.perExample!.clean);
    });

    it('chain: a alone is harmless (100%); d alone carries the whole loss (0%)', async () => {
        const classAtChild = hypothesis('class_at_child', [
            { name: 'a', graphNode: 'A', feature: bit(0), parents: ['input.u'] },
            { name: 'd', graphNode: 'D', feature: ANY, parents: ['a'] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['d'] },
        ]);
        const [aloneA, aloneD] = nodeEffectVariants(classAtChild, writeCase('chain').dataset);
        // alone:a: d pinned to rows with x's input, then a drawn with u = u(x_d) = u(x): 100%.
        const a = await scrubCase('chain', aloneA);
        expect(a.lossRecovered).toBe(1);
        // alone:d: d drawn uniformly, a pinned to x_d's input: t = u(x_d), P_s = 0.42 = P_r: 0%.
        expectCrossEntropy(await scrubCase('chain', aloneD), CHAIN_PR, CHAIN_PR);
    });
});
