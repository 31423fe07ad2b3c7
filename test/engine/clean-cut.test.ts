// Clean cuts (engine/graph/clean-cut.ts): where a local function may be fed a parent's clean
// downstream tensors instead of the parent, which tensors qualify as per-example feeds, and that
// scrubbing with cuts gives the values scrubbing without them gives.
import { describe, expect, it } from 'vitest';
import { useRewritePair } from '../fixtures/rewrite-pair.js';
import { cleanCuts, cutParents } from '../../engine/graph/clean-cut.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { allocTyped, exampleSize } from '../../engine/execute/model-runner.js';
import { planScrub } from '../../engine/plan/planner.js';
import { batchMajorTypes } from '../../engine/runtime/batch-major.js';
import { verifiedCuts } from '../../engine/runtime/self-check.js';
import type { Activation } from '../../engine/execute/model-runner.js';
import type { GraphG } from '../../engine/graph/types.js';
import { scrubHypothesis, rootExample } from '../../engine/scrub.js';
import { residualModel, weights } from './graph-fixtures.js';

const f = (name: string, n: number) => ({ name, dtype: 'float32', dims: ['batch', n] });

/** h = x W1 (a hook); out = (h + x) + relu(x W2): x is read directly and through a layer. */
function readTwiceModel() {
    const b = new GraphBuilder('read-twice');
    b.input('x', 'float32', ['batch', 3]);
    b.initializer('W1', weights(9, 1), [3, 3]);
    b.initializer('W2', weights(9, 2), [3, 3]);
    b.node('MatMul', ['x', 'W1'], [f('h', 3)]);
    b.node('Add', ['h', 'x'], [f('hx', 3)]);
    b.node('MatMul', ['x', 'W2'], [f('xw', 3)]);
    b.node('Relu', ['xw'], [f('r', 3)]);
    b.node('Add', ['hx', 'r'], [f('out', 3)]);
    b.output('out');
    return b.build();
}

describe('clean cuts of a local function', () => {
    it('h2 = relu(h1-side) + x W2 from [h1, x]: x is replaced by its own branch, x W2', () => {
        const cuts = cleanCuts(residualModel(), 'h2', ['h1', 'x'], () => true);
        expect(cuts).toEqual([{ parent: 1, frontier: ['skip'] }]);
        expect(cutParents(['h1', 'x'], cuts, 1)).toEqual(['h1', 'skip']);
        expect(cutParents(['h1', 'x'], cuts, 0)).toEqual(['h1', 'x']);
    });

    it('has no cut for a parent mixed in at once, or for a function of one parent', () => {
        expect(cleanCuts(residualModel(), 'out', ['h2'], () => true)).toEqual([]);
        expect(cleanCuts(residualModel(), 'h1', ['x'], () => true)).toEqual([]);
    });

    it('pushes a frontier tensor that cannot be fed per example back towards the parent', () => {
        expect(cleanCuts(residualModel(), 'h2', ['h1', 'x'], t => t !== 'skip')).toEqual([]);
        expect(cleanCuts(readTwiceModel(), 'out', ['h', 'x'], t => t !== 'r')).toEqual([{ parent: 1, frontier: ['x', 'xw'] }]);
    });

    it('keeps the parent itself in the frontier when it is also read directly', () => {
        expect(cleanCuts(readTwiceModel(), 'out', ['h', 'x'], () => true)).toEqual([{ parent: 1, frontier: ['x', 'r'] }]);
    });
});

describe('verified cuts', () => {
    it('keeps a cut whose local function reproduces the clean activation and drops one that does not', async () => {
        const act = (v: number): Activation => ({ data: Float32Array.of(v, v), offset: 0, dims: [2] });
        // A fake runner: every clean value is 1; the local function is right except when fed 'bad'.
        const runner = {
            clean: async (_: Int32Array, tensors: readonly string[]) => new Map(tensors.map(t => [t, act(1)])),
            local: async (_: string, parents: readonly string[]) => act(parents.includes('bad') ? 2 : 1),
        };
        const g = { tensorParents: (t: string) => (t === 'T' ? ['p', 'q'] : []) } as unknown as GraphG;
        const good = { parent: 0, frontier: ['good'] };
        const bad = { parent: 1, frontier: ['bad'] };
        const kept = await verifiedCuts(runner, g, Int32Array.of(0), new Map([['T', [good, bad]]]));
        expect(kept.cuts.get('T')).toEqual([good]);
        const none = await verifiedCuts(runner, g, Int32Array.of(0), new Map([['T', [bad]]]));
        expect(none.cuts.has('T')).toBe(false);
    });
});

describe('batch-major tensors', () => {
    it('accepts element-wise results and rejects a Shape output and a tensor with the batch moved', async () => {
        const b = new GraphBuilder('layouts');
        b.input('x', 'float32', ['batch', 3]);
        b.node('Relu', ['x'], [f('r', 3)]);
        b.node('Shape', ['x'], [{ name: 's', dtype: 'int64', dims: [2] }]);
        b.node('Transpose', ['r'], [{ name: 't', dtype: 'float32', dims: [3, 'batch'] }], { perm: [1, 0] });
        b.node('Identity', ['t'], [{ name: 'out', dtype: 'float32', dims: [3, 'batch'] }]);
        b.output('out');
        const rows = [Float32Array.of(1, -2, 3), Float32Array.of(-4, 5, 6)];
        const inputs = {
            names: ['x'], count: 2, dtype: () => 'float32',
            batch: (_: string, examples: Int32Array) => {
                const data = allocTyped('float32', 3 * examples.length) as Float32Array;
                examples.forEach((e, i) => data.set(rows[e], 3 * i));
                return { data, offset: 0, dims: [3] };
            },
        };
        const types = await batchMajorTypes(b.build(), ['r', 's', 't'], inputs, { providers: ['cpu'] });
        expect([...types.keys()]).toEqual(['r']);
        expect(exampleSize(types.get('r')!.dims)).toBe(3);
    });
});

describe('scrubbing with clean cuts (paren claim 1)', () => {
    const pair = useRewritePair('examples/paren/paren.hyp');

    it('cuts the logits and layer 2 input at layer 1 residual stream, which the self-check verified', () => {
        expect(pair.off.cuts.size).toBe(0);
        expect(pair.on.cuts.get('logits')?.find(c => c.frontier.includes('blocks.1.hook_resid_pre'))).toBeDefined();
        const h = pair.spec.hypotheses.find(x => x.name === 'claim1')!;
        const n = pair.on.dataset.rows.length;
        const rootIds = Int32Array.from({ length: 20 }, (_, i) => i);
        const plan = planScrub(pair.on.g, pair.on.planNodes(h), rootIds.map(r => rootExample(r, n, h.options.seed)), rootIds,
            { seed: h.options.seed, ablation: 'resample', unimportant: 'shared', datasetSize: n, cuts: pair.on.cuts });
        const logits = plan.table.requests.filter(r => r.kind === 'computed' && r.tensor === 'logits');
        expect(logits.length).toBe(20);
        for (const r of logits) expect(r.kind === 'computed' && r.parents).toContain('blocks.1.hook_resid_pre');
    });

    it('gives every root the value the uncut local functions give', async () => {
        const h = pair.spec.hypotheses.find(x => x.name === 'claim1')!;
        const a = await scrubHypothesis(pair.on, h, { samples: 150, perExample: true });
        const b = await scrubHypothesis(pair.off, h, { samples: 150, perExample: true });
        expect(a.stats.computedRequests).toBe(b.stats.computedRequests);
        for (let r = 0; r < 150; r++) {
            expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
            expect(a.perExample!.clean[r]).toBe(b.perExample!.clean[r]);
        }
        expect(a.lossRecovered).toBeCloseTo(b.lossRecovered, 5);
    }, 60_000);
});
