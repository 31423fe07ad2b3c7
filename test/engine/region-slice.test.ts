// Sliced local functions (engine/graph/region-slice.ts): a local function asked for a box of its
// output reads only the boxes of its inputs that box needs, and computes the same values there as
// the whole function; ops without a rule fall back to their whole output.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { sliceLocalFunction, type FullDims } from '../../engine/graph/region-slice.js';
import { wholeRegion, type Region } from '../../engine/graph/region.js';
import { probeFullDims } from '../../engine/runtime/tensor-dims.js';
import type { ModelInputs } from '../../engine/execute/model-inputs.js';
import { boxExtents, boxRows, copyRows } from '../../engine/execute/boxes.js';
import { useRewritePair } from '../fixtures/rewrite-pair.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { weights } from './graph-fixtures.js';
import { join } from 'node:path';
import { checkHypFile } from '../../language/check-file.js';
import { MIN_SLICED_MODEL_BYTES, prepareScrub } from '../../engine/prepare.js';
import { spec as toySpec } from '../fixtures/toy-spec.js';

const BATCH = 3;
const f32 = (name: string, dims: (number | string)[]) => [{ name, dtype: 'float32', dims }];

/** Attention over positions, then the model's readout at position 2 (the paren model's shape, small). */
function attentionModel(): ModelProto {
    const b = new GraphBuilder('attention');
    b.input('x', 'float32', ['batch', 4, 3]);
    b.initializer('g', weights(3, 1), [3]);
    b.initializer('beta', weights(3, 2), [3]);
    b.initializer('axes2', BigInt64Array.of(2n), [1]);
    b.initializer('reps', BigInt64Array.of(1n, 1n, 2n, 1n), [4]);
    b.initializer('W', weights(30, 3), [2, 3, 5]);
    b.initializer('axes1', BigInt64Array.of(1n), [1]);
    b.initializer('pos', BigInt64Array.of(2n), []);
    b.node('LayerNormalization', ['x', 'g', 'beta'], f32('ln', ['batch', 4, 3]), { axis: -1 });
    b.node('Unsqueeze', ['ln', 'axes2'], f32('u', ['batch', 4, 1, 3]));
    b.node('Tile', ['u', 'reps'], f32('t', ['batch', 4, 2, 3]));
    b.node('Transpose', ['t'], f32('by_head', ['batch', 2, 4, 3]), { perm: [0, 2, 1, 3] });
    b.node('MatMul', ['by_head', 'W'], f32('heads', ['batch', 2, 4, 5]));
    b.node('Transpose', ['heads'], f32('keys', ['batch', 2, 5, 4]), { perm: [0, 1, 3, 2] });
    b.node('MatMul', ['heads', 'keys'], f32('scores', ['batch', 2, 4, 4]));
    b.node('Softmax', ['scores'], f32('pattern', ['batch', 2, 4, 4]), { axis: -1 });
    b.node('MatMul', ['pattern', 'heads'], f32('z', ['batch', 2, 4, 5]));
    b.node('ReduceSum', ['z', 'axes1'], f32('r', ['batch', 4, 5]), { keepdims: 0 });
    b.node('Relu', ['r'], f32('y', ['batch', 4, 5]));
    b.node('Gather', ['y', 'pos'], f32('out', ['batch', 5]), { axis: 1 });
    b.output('out');
    return b.build();
}

/** A position-wise block read at position 1, with an op that has no rule (CumSum) on request. */
function positionwiseModel(cumsum: boolean): ModelProto {
    const b = new GraphBuilder('positionwise');
    b.input('x', 'float32', ['batch', 4, 3]);
    b.initializer('W', weights(6, 4), [3, 2]);
    b.initializer('one', BigInt64Array.of(1n), []);
    b.initializer('axis1', BigInt64Array.of(1n), []);
    let h = b.node('MatMul', ['x', 'W'], f32('h', ['batch', 4, 2]));
    if (cumsum) h = b.node('CumSum', [h, 'axis1'], f32('c', ['batch', 4, 2]));
    b.node('Sigmoid', [h], f32('s', ['batch', 4, 2]));
    b.node('Gather', ['s', 'one'], f32('out', ['batch', 2]), { axis: 1 });
    b.output('out');
    return b.build();
}

/**
 * Attention the way torch.onnx.export writes it: one qkv MatMul Split three ways, each Reshaped
 * to heads by a shape computed from the input's Shape, transposed; the heads merged back by a
 * Reshape and projected, and a constant Slice of positions read. `headsOut`: the output is
 * att @ v itself ([batch, head, position, d_head]).
 */
function torchAttentionModel(headsOut: boolean): ModelProto {
    const b = new GraphBuilder('torch-attention');
    const i64 = (name: string, dims: (number | string)[]) => [{ name, dtype: 'int64', dims }];
    b.input('x', 'float32', ['batch', 4, 3]);
    b.initializer('Wqkv', weights(36, 5), [3, 12]);
    b.initializer('bqkv', weights(12, 6), [12]);
    b.initializer('sizes', BigInt64Array.of(4n, 4n, 4n), [3]);
    b.initializer('zero', BigInt64Array.of(0n), []);
    b.initializer('axes0', BigInt64Array.of(0n), [1]);
    b.initializer('tail', BigInt64Array.of(4n, 2n, 2n), [3]);
    b.initializer('merged', BigInt64Array.of(4n, 4n), [2]);
    b.initializer('Wo', weights(12, 7), [4, 3]);
    b.initializer('starts', BigInt64Array.of(1n), [1]);
    b.initializer('ends', BigInt64Array.of(3n), [1]);
    b.initializer('axes1', BigInt64Array.of(1n), [1]);
    b.node('MatMul', ['x', 'Wqkv'], f32('qkv0', ['batch', 4, 12]));
    b.node('Add', ['qkv0', 'bqkv'], f32('qkv', ['batch', 4, 12]));
    b.node('Split', ['qkv', 'sizes'], [...f32('q', ['batch', 4, 4]), ...f32('k', ['batch', 4, 4]), ...f32('v', ['batch', 4, 4])], { axis: 2 });
    b.node('Shape', ['x'], i64('shape_x', [3]));
    b.node('Gather', ['shape_x', 'zero'], i64('n', []), { axis: 0 });
    b.node('Unsqueeze', ['n', 'axes0'], i64('n1', [1]));
    b.node('Concat', ['n1', 'tail'], i64('heads_shape', [4]), { axis: 0 });
    b.node('Concat', ['n1', 'merged'], i64('merged_shape', [3]), { axis: 0 });
    for (const t of ['q', 'k', 'v']) b.node('Reshape', [t, 'heads_shape'], f32(`${t}4`, ['batch', 4, 2, 2]));
    b.node('Transpose', ['q4'], f32('qh', ['batch', 2, 4, 2]), { perm: [0, 2, 1, 3] });
    b.node('Transpose', ['k4'], f32('kt', ['batch', 2, 2, 4]), { perm: [0, 2, 3, 1] });
    b.node('Transpose', ['v4'], f32('vh', ['batch', 2, 4, 2]), { perm: [0, 2, 1, 3] });
    b.node('MatMul', ['qh', 'kt'], f32('scores', ['batch', 2, 4, 4]));
    b.node('Softmax', ['scores'], f32('pattern', ['batch', 2, 4, 4]), { axis: -1 });
    b.node('MatMul', ['pattern', 'vh'], f32(headsOut ? 'out' : 'z', ['batch', 2, 4, 2]));
    if (!headsOut) {
        b.node('Transpose', ['z'], f32('zt', ['batch', 4, 2, 2]), { perm: [0, 2, 1, 3] });
        b.node('Reshape', ['zt', 'merged_shape'], f32('zm', ['batch', 4, 4]));
        b.node('MatMul', ['zm', 'Wo'], f32('proj', ['batch', 4, 3]));
        b.node('Slice', ['proj', 'starts', 'ends', 'axes1'], f32('out', ['batch', 2, 3]));
    }
    b.output('out');
    return b.build();
}

/** Position pairs merged by a Reshape and split back, then positions 2–3 sliced: position-wise throughout. */
function reshapedPositionsModel(): ModelProto {
    const b = new GraphBuilder('reshaped');
    b.input('x', 'float32', ['batch', 4, 3]);
    b.initializer('pairs', BigInt64Array.of(0n, 2n, 6n), [3]);
    b.initializer('back', BigInt64Array.of(-1n, 4n, 3n), [3]);
    b.initializer('starts', BigInt64Array.of(2n), [1]);
    b.initializer('ends', BigInt64Array.of(4n), [1]);
    b.initializer('axes1', BigInt64Array.of(1n), [1]);
    b.node('Reshape', ['x', 'pairs'], f32('p', ['batch', 2, 6]));
    b.node('Sigmoid', ['p'], f32('s', ['batch', 2, 6]));
    b.node('Reshape', ['s', 'back'], f32('y', ['batch', 4, 3]));
    b.node('Slice', ['y', 'starts', 'ends', 'axes1'], f32('out', ['batch', 2, 3]));
    b.output('out');
    return b.build();
}

const x = Float32Array.from({ length: BATCH * 12 }, (_, i) => Math.sin(i * 1.7) * 2);

function fakeInputs(): ModelInputs {
    return {
        names: ['x'], count: BATCH,
        has: n => n === 'x', dtype: () => 'float32', dims: () => [4, 3],
        batch: (_, examples) => ({ data: x.subarray(0, examples.length * 12), offset: 0, dims: [4, 3] }),
    };
}

async function run(model: ModelProto, input: Float32Array, dims: number[]): Promise<ort.Tensor> {
    const session = await ort.InferenceSession.create(writeModel(model));
    const out = await session.run({ x: new ort.Tensor('float32', input, dims) });
    await session.release();
    return out[model.graph!.output[0].name];
}

/** The sliced function on the box of x it reads equals the whole function on x, inside `region`. */
async function expectSame(model: ModelProto, region: Region | undefined): Promise<Region | undefined> {
    const dims = await probeFullDims(model, fakeInputs(), { providers: ['cpu'] });
    const outDims = dims.get('out')! as FullDims;
    const want = region ?? wholeRegion(outDims.length);
    const sliced = sliceLocalFunction(model, 'out', want, t => dims.get(t), true);
    const whole = await run(model, x, [BATCH, 4, 3]);
    const need = sliced.inputRegions[0];
    let input = x, inputDims = [BATCH, 4, 3];
    if (need !== undefined) {
        inputDims = boxExtents([BATCH, 4, 3], need);
        input = new Float32Array(inputDims.reduce((a, b) => a * b, 1));
        copyRows(input, 0, x, 0, boxRows([BATCH, 4, 3], need));
    }
    const got = await run(sliced.model, input, inputDims);
    const full = whole.dims as number[];
    const expected = new Float32Array(boxExtents(full, want).reduce((a, b) => a * b, 1));
    copyRows(expected, 0, whole.data as Float32Array, 0, boxRows(full, want));
    expect(got.dims).toEqual(boxExtents(full, want));
    const values = got.data as Float32Array;
    expected.forEach((v, i) => expect(values[i]).toBeCloseTo(v, 5));
    return need;
}

describe('sliced local functions', () => {
    it('computes the readout position only, reading every position where attention needs them', async () => {
        const need = await expectSame(attentionModel(), undefined);
        // The keys and values of every position are read: x is needed whole.
        expect(need).toEqual([null, null, null]);
        const dims = await probeFullDims(attentionModel(), fakeInputs(), { providers: ['cpu'] });
        const sliced = sliceLocalFunction(attentionModel(), 'out', [null, null], t => dims.get(t), true);
        // The queries, scores and pattern of one position are computed, not of four.
        const pattern = sliced.model.graph!.node.find(n => n.opType === 'Softmax')!;
        expect(pattern.output[0]).toBe('pattern::region');
        expect(sliced.model.graph!.node.some(n => n.opType === 'Slice' && n.input[0] === 'heads')).toBe(true);
    });

    it('gives a box of the output from the box of the input it needs', async () => {
        expect(await expectSame(attentionModel(), [null, [1, 4]])).toEqual([null, null, null]);
        expect(await expectSame(positionwiseModel(false), undefined)).toEqual([null, [1, 2], null]);
        expect(await expectSame(positionwiseModel(false), [null, [1, 2]])).toEqual([null, [1, 2], null]);
    });

    it('cuts a box out of an output whose node computes it whole (a Softmax along the axis asked for), the output defined once', async () => {
        // Found by test/language/generated-hypotheses.test.ts: paren's blocks.1.attn.hook_pattern split
        // along its key axis gave a Softmax and a Slice both writing the output ("Duplicate definition of name").
        const b = new GraphBuilder('softmax-out');
        b.input('x', 'float32', ['batch', 4, 3]);
        b.node('Softmax', ['x'], f32('out', ['batch', 4, 3]), { axis: -1 });
        b.output('out');
        expect(await expectSame(b.build(), [null, null, [1, 3]])).toEqual([null, null, null]);
        expect(await expectSame(b.build(), [null, [2, 3], [0, 1]])).toEqual([null, [2, 3], null]);
    });

    it('reads the whole input through an op it has no rule for', async () => {
        const need = await expectSame(positionwiseModel(true), undefined);
        expect(need).toEqual([null, null, null]);
    });

    it('slices through a torch-style Split, Reshapes to and from heads and a constant Slice', async () => {
        // One head of att @ v: the qkv projection computes that head's columns only, its shape
        // computation is gone, and the keys and values of every position are read.
        const model = torchAttentionModel(true);
        expect(await expectSame(model, [null, [1, 2], null, null])).toEqual([null, null, null]);
        expect(await expectSame(model, [null, [0, 1], [2, 3], null])).toEqual([null, null, null]);
        const dims = await probeFullDims(model, fakeInputs(), { providers: ['cpu'] });
        const sliced = sliceLocalFunction(model, 'out', [null, [1, 2], null, null], t => dims.get(t), true);
        const nodes = sliced.model.graph!.node;
        expect(nodes.find(n => n.opType === 'MatMul' && n.input[0] === 'x')!.output[0]).toBe('qkv0::region');
        expect(nodes.some(n => n.opType === 'Split' || n.opType === 'Shape')).toBe(false);
        // The heads merged back, projected and sliced to positions 1–2: the queries of those
        // positions only (the pattern is computed there), the keys and values of all.
        const readout = torchAttentionModel(false);
        expect(await expectSame(readout, undefined)).toEqual([null, null, null]);
        expect(await expectSame(readout, [null, [1, 2], null])).toEqual([null, null, null]);
        const rdims = await probeFullDims(readout, fakeInputs(), { providers: ['cpu'] });
        const rs = sliceLocalFunction(readout, 'out', [null, null, null], t => rdims.get(t), true);
        expect(rs.model.graph!.node.find(n => n.opType === 'Softmax')!.output[0]).toBe('pattern::region');
    });

    it('reads only the positions a Reshape that merges and splits them back needs', async () => {
        expect(await expectSame(reshapedPositionsModel(), undefined)).toEqual([null, [2, 4], null]);
        expect(await expectSame(reshapedPositionsModel(), [null, [1, 2], null])).toEqual([null, [3, 4], null]);
    });

    it('leaves a function it cannot slice unchanged', async () => {
        const model = positionwiseModel(false);
        const sliced = sliceLocalFunction(model, 'out', [null, null], () => undefined, true);
        expect(sliced.sliced).toBe(false);
        expect(sliced.model).toBe(model);
    });
});

describe('scrubbing with sliced local functions', () => {
    const paren = useRewritePair('examples/paren/paren.hyp', { sliceLocals: false });

    it('gives every paren root the value whole local functions give, and slices what the readout does not read', async () => {
        for (const name of ['claim1', 'claim2', 'claim3']) {
            const h = paren.spec.hypotheses.find(x => x.name === name)!;
            const a = await scrubHypothesis(paren.on, h, { samples: 120, perExample: true });
            const b = await scrubHypothesis(paren.off, h, { samples: 120, perExample: true });
            for (let r = 0; r < 120; r++) expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
            expect(a.lossRecovered).toBeCloseTo(b.lossRecovered, 5);
        }
        expect(paren.on.runner.sliceFailures).toEqual([]);
        // The logits read layer 2's heads at the readout position only.
        const needs = await paren.on.runner.slicing!.inputRegions('logits',
            ['blocks.1.hook_resid_pre', 'blocks.1.attn.result_sum', 'blocks.2.attn.hook_result'], [null, null]);
        expect(needs[2]).toEqual([null, [0, 1], null, null]);
        expect(paren.off.runner.slicing).toBeUndefined();
    }, 120_000);

    it('is the default for a model large enough to save something, and not for the toy', async () => {
        expect(paren.on.runner.slicing).toBeDefined();
        const toy = await prepareScrub(toySpec, { ep: 'cpu' });
        try {
            expect(toy.modelBytesPerExample).toBeLessThan(MIN_SLICED_MODEL_BYTES);
            expect(toy.runner.slicing).toBeUndefined();
        } finally {
            await toy.dispose();
        }
        const asked = await prepareScrub(toySpec, { ep: 'cpu', sliceLocals: true });
        expect(asked.runner.slicing).toBeDefined();
        await asked.dispose();
    });
});

describe('scrubbing a per-position output with sliced local functions', () => {
    const induction = useRewritePair('examples/induction/induction.hyp', { sliceLocals: false });

    it('computes the logits in the band of positions the metric reads, with the values whole functions give', async () => {
        const h = induction.spec.hypotheses.find(x => x.name === 'refined')!;
        const a = await scrubHypothesis(induction.on, h, { samples: 100, perExample: true });
        const b = await scrubHypothesis(induction.off, h, { samples: 100, perExample: true });
        for (let r = 0; r < 100; r++) {
            expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
            expect(a.perExample!.random[r]).toBeCloseTo(b.perExample!.random[r], 4);
        }
        expect(induction.on.runner.sliceFailures).toEqual([]);
        const parents = ['hook_embed', 'hook_pos_embed', 'blocks.0.hook_attn_out', 'blocks.1.attn.hook_result'];
        const needs = await induction.on.runner.slicing!.inputRegions('logits', parents, [null, [8, 16], null]);
        // The readout of positions 8–15 reads the residual stream there, and layer 1's heads there.
        expect(needs[0]).toEqual([null, [8, 16], null]);
        expect(needs[3]?.some(r => r !== null && r[0] === 8 && r[1] === 16)).toBe(true);
    }, 120_000);
});

describe('a local function that cannot be sliced', () => {
    it('still answers with the box asked for, so scrubbing gives the same values', async () => {
        const { spec } = await checkHypFile(join(import.meta.dirname, '../../examples/induction/induction.hyp'));
        const h = spec!.hypotheses.find(x => x.name === 'refined')!;
        const unsliceable = await prepareScrub(spec!, { ep: 'cpu', selfCheck: false });
        const whole = await prepareScrub(spec!, { ep: 'cpu', selfCheck: false, sliceLocals: false });
        try {
            // Without the tensors' dims no local function is sliced, but the executor still asks
            // for the metric's band of positions from the logits.
            (unsliceable.runner as unknown as { fullDims: Promise<undefined> }).fullDims = Promise.resolve(undefined);
            const a = await scrubHypothesis(unsliceable, h, { samples: 60, perExample: true });
            const b = await scrubHypothesis(whole, h, { samples: 60, perExample: true });
            for (let r = 0; r < 60; r++) expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
        } finally {
            await unsliceable.runner.dispose();
            await whole.runner.dispose();
        }
    }, 120_000);
});


describe('scrubbing the raw torch export with sliced local functions', () => {
    const torch = useRewritePair('examples/torch-export/tiny_gpt.hyp', { sliceLocals: false });

    it('slices layer 1 by head, by the metric band through its Split and Reshapes and by its causal mask, with the values whole functions give', async () => {
        for (const name of ['l0_head0', 'l1_head1']) {
            const h = torch.spec.hypotheses.find(x => x.name === name)!;
            const a = await scrubHypothesis(torch.on, h, { samples: 150, perExample: true });
            const b = await scrubHypothesis(torch.off, h, { samples: 150, perExample: true });
            for (let r = 0; r < 150; r++) expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
        }
        expect(torch.on.runner.sliceFailures).toEqual([]);
        const z0 = '/blocks.0/attn/MatMul_1_output_0', z1 = '/blocks.1/attn/MatMul_1_output_0';
        // The logits at positions 8–9 read layer 1's att @ v at those positions only (through the
        // transpose and the Reshape merging the heads); head 1 of it there attends to positions
        // 0–9 under the causal mask (a Where on a condition the probe read, then -inf), so it
        // reads layer 0 at those positions only: its keys and values are computed there alone.
        const needs = await torch.on.runner.slicing!.inputRegions('logits', ['tokens', z0, z1], [null, [8, 10], null]);
        expect(needs[2]).toEqual([null, null, [8, 10], null]);
        const head = await torch.on.runner.slicing!.inputRegions(z1, ['tokens', z0], [null, [1, 2], [8, 10], null]);
        expect(head[1]).toEqual([null, null, [0, 10], null]);
        const first = await torch.on.runner.slicing!.inputRegions(z1, ['tokens', z0], [null, [1, 2], [0, 2], null]);
        expect(first[1]).toEqual([null, null, [0, 2], null]);
        // Cut at the input (fed the embedding sum and layer 0's first LayerNorm): the LayerNorm only
        // gave the heads' Reshape its shape, now a constant, so one element of it is fed.
        const cut = await torch.on.runner.slicing!.inputRegions(z1, ['/Add_output_0', '/blocks.0/ln1/LayerNormalization_output_0', z0], [null, [1, 2], [0, 2], null]);
        expect(cut).toEqual([[null, [0, 2], null], [null, [0, 1], [0, 1]], [null, null, [0, 2], null]]);
    }, 120_000);
});
