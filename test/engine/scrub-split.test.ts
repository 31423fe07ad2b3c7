// Splits of a computed hook point, end to end, on a hand-built model whose circuit is known:
// x = (x0, x1) bits → H = x (a hook split into its two elements) → logits read H0 only; y = x0.
// Claiming H.h0 with feature x0 is the true circuit (100% exactly); claiming only H.h1 leaves H0 to
// a random example, which is the random baseline (0% within the CI).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import type { Expr, HypothesisSpec, ScrubSpec, SplitSpec } from '../../engine/spec.js';
import { Prng } from '../../engine/util/prng.js';

function buildModel(): Uint8Array {
    const b = new GraphBuilder('split_probe');
    const f = (name: string, dims: (number | string)[]) => ({ name, dtype: 'float32', dims });
    b.input('x', 'float32', ['batch', 2]);
    b.initializer('ones', Float32Array.of(1, 1), [2]);
    b.node('Mul', ['x', 'ones'], [f('H', ['batch', 2])]);
    b.initializer('i0', BigInt64Array.of(0n), [1]);
    b.node('Gather', ['H', 'i0'], [f('H0', ['batch', 1])], { axis: 1 });
    b.initializer('half', Float32Array.of(0.5), []);
    b.initializer('scale', Float32Array.of(3), []);
    b.node('Sub', ['H0', 'half'], [f('centered', ['batch', 1])]);
    b.node('Mul', ['centered', 'scale'], [f('pos', ['batch', 1])]);
    b.node('Neg', ['pos'], [f('neg', ['batch', 1])]);
    b.node('Concat', ['neg', 'pos'], [f('logits', ['batch', 2])], { axis: 1 });
    b.output('logits');
    return writeModel(b.build());
}

const ref = (name: string): Expr => ({ kind: 'ref', name });
const at = (i: number): Expr => ({ kind: 'index', target: ref('x'), index: { kind: 'number', value: i } });
const options = { samples: 2000, seed: 3, ablation: 'resample' as const, unimportant: 'shared' as const };

function specWith(split: SplitSpec, dir: string): ScrubSpec {
    return {
        modelPath: join(dir, 'split.onnx'),
        dataset: { path: join(dir, 'split.jsonl'), inputs: [{ onnxName: 'x', value: ref('x') }], label: 'y' },
        graph: {
            hooks: [{ name: 'H', tensor: 'H', split }],
            inputSplit: { axis: 1, parts: [{ name: 'x0', indices: [0] }, { name: 'x1', indices: [1] }] },
        },
        metric: { kind: 'cross_entropy' },
        hypotheses: [],
    };
}

const claimH0 = (part: string): HypothesisSpec => ({ name: 'h0', options, nodes: [
    { name: 'a', graphNode: `H.${part}`, feature: at(0), parents: ['input.x0'] },
    { name: 'out', graphNode: 'output', feature: null, parents: ['a'] },
] });
const claimH1: HypothesisSpec = { name: 'h1', options, nodes: [
    { name: 'b', graphNode: 'H.h1', feature: at(1), parents: ['input.x1'] },
    { name: 'out', graphNode: 'output', feature: null, parents: ['b'] },
] };

let dir: string;
let byIndex: PreparedScrub;
let byPredicate: PreparedScrub;
beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hyp-split-'));
    writeFileSync(join(dir, 'split.onnx'), buildModel());
    const rng = new Prng(11);
    const rows = Array.from({ length: 1000 }, () => {
        const x = [rng.nextInt(2), rng.nextInt(2)];
        return JSON.stringify({ x, y: x[0] });
    });
    writeFileSync(join(dir, 'split.jsonl'), rows.join('\n') + '\n');
    byIndex = await prepareScrub(specWith({ axis: 1, parts: [{ name: 'h0', indices: [0] }, { name: 'h1', indices: [1] }] }, dir), { ep: 'cpu' });
    byPredicate = await prepareScrub(specWith({ parts: [{ name: 'first', axes: [1], vars: ['i'], predicate:
        { kind: 'binary', op: '==', left: ref('i'), right: { kind: 'number', value: 0 } } }] }, dir), { ep: 'cpu' });
});
afterAll(async () => {
    await byIndex.runner.dispose();
    await byPredicate.runner.dispose();
});

describe('scrubbing through a split hook point', () => {
    it('recovers exactly 100% when the part the output reads is claimed', async () => {
        const r = await scrubHypothesis(byIndex, claimH0('h0'), {});
        expect(r.lossRecovered).toBe(1);
        expect(r.ci95).toEqual([1, 1]);
    });

    it('recovers 0% within the CI when only the part the output ignores is claimed', async () => {
        const r = await scrubHypothesis(byIndex, claimH1, {});
        expect(r.ci95[0]).toBeLessThanOrEqual(0);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(0);
        expect(r.ci95[1] - r.ci95[0]).toBeLessThan(0.15);
    });

    it('gives the same answer with a predicate split and its implicit rest part', async () => {
        expect([...byPredicate.g.nodes.keys()]).toContain('H.rest');
        const r = await scrubHypothesis(byPredicate, claimH0('first'), {});
        expect(r.lossRecovered).toBe(1);
    });
});
