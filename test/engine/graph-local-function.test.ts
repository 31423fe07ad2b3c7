import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { HypError } from '../../engine/errors.js';
import { extractLocalFunction, withExtraOutputs } from '../../engine/graph/local-function.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import type { TensorType } from '../../engine/onnx/dtype.js';
import { readModelFile, writeModel } from '../../engine/onnx/read.js';
import { valueInfoType } from '../../engine/onnx/value-info.js';
import { TOY_MODEL, residualModel, weights } from './graph-fixtures.js';

const types = new Map<string, TensorType>([
    ['x', { dtype: 'float32', dims: [2, 3] }],
    ['h1', { dtype: 'float32', dims: [2, 4] }],
    ['h2', { dtype: 'float32', dims: [2, 4] }],
]);

async function run(model: ReturnType<typeof residualModel>, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    const session = await ort.InferenceSession.create(writeModel(model));
    try {
        return await session.run(feeds);
    } finally {
        await session.release();
    }
}

describe('local functions', () => {
    it('the local function of h2 = h1 + x W2 reads h1 and x, and keeps only the skip MatMul, the Add and W2', async () => {
        const local = extractLocalFunction(residualModel(), 'h2', ['h1', 'x'], types);
        const g = local.graph!;
        expect(g.node.map(n => n.opType)).toEqual(['MatMul', 'Add']);
        expect(g.initializer.map(t => t.name)).toEqual(['W2']);
        expect(g.input.map(i => [i.name, valueInfoType(i)])).toEqual([
            ['h1', { dtype: 'float32', shape: ['batch', 4] }],
            ['x', { dtype: 'float32', shape: ['batch', 3] }],
        ]);
        expect(g.output.map(o => [o.name, valueInfoType(o).shape])).toEqual([['h2', ['batch', 4]]]);
        expect(local.irVersion).toBe(10n);
        expect(local.opsetImport[0].version).toBe(17n);

        // Run on parent values the model never produced together: h2 = h1 + x W2 exactly.
        const h1 = Float32Array.of(1, 2, 3, 4, -1, -2, -3, -4);
        const x = Float32Array.of(1, 0, 0, 0, 1, 0);
        const out = await run(local, { h1: new ort.Tensor('float32', h1, [2, 4]), x: new ort.Tensor('float32', x, [2, 3]) });
        // x's rows are the unit vectors e0 and e1, so x W2 is W2's first two rows: w2[0..7] in order.
        const w2 = weights(12, 2);
        const got = out.h2.data as Float32Array;
        h1.forEach((v, i) => expect(got[i]).toBeCloseTo(v + w2[i], 6));
    });

    it('the toy D reads A, B and C, with the zero and its Constant-free arithmetic inside', () => {
        const toyTypes = new Map(['A', 'B', 'C', 'D'].map(t => [t, { dtype: 'float32', dims: [1, 1] }]));
        const local = extractLocalFunction(readModelFile(TOY_MODEL), 'D', ['A', 'B', 'C'], toyTypes);
        expect(local.graph!.node.map(n => n.opType)).toEqual(['Max', 'Mul', 'Add']);
        expect(local.graph!.initializer.map(t => t.name)).toEqual(['zero']);
    });

    it('takes Constant nodes into the local function', async () => {
        const b = new GraphBuilder('constant');
        b.input('x', 'float32', ['batch', 2]);
        b.node('Relu', ['x'], [{ name: 'h', dtype: 'float32', dims: ['batch', 2] }]);
        b.node('Constant', [], [{ name: 'ten', dtype: 'float32', dims: [] }], { value_float: { float: 10 } });
        b.node('Mul', ['h', 'ten'], [{ name: 'y', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('y');
        const local = extractLocalFunction(b.build(), 'y', ['h'], new Map([['h', { dtype: 'float32', dims: ['batch', 2] }]]));
        expect(local.graph!.node.map(n => n.opType)).toEqual(['Constant', 'Mul']);
        const out = await run(local, { h: new ort.Tensor('float32', Float32Array.of(1.5, -2), [1, 2]) });
        expect([...(out.y.data as Float32Array)]).toEqual([15, -20]);
    });

    it('takes a node of several outputs whose other output is a parent, the parent fed (a hook on one output of a Split)', async () => {
        // Found by test/language/generated-hypotheses.test.ts: a hook on "/blocks.1/attn/Split_output_1"
        // of tiny_gpt.onnx made every local function reading it define it twice ("Duplicate definition of name").
        const b = new GraphBuilder('split');
        b.input('x', 'float32', ['batch', 4]);
        b.initializer('sizes', BigInt64Array.of(2n, 2n), [2]);
        b.node('Split', ['x', 'sizes'], [{ name: 'a', dtype: 'float32', dims: ['batch', 2] }, { name: 'k', dtype: 'float32', dims: ['batch', 2] }], { axis: 1 });
        b.node('Mul', ['a', 'k'], [{ name: 'y', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('y');
        const model = b.build();
        const local = extractLocalFunction(model, 'y', ['x', 'k'], new Map([
            ['x', { dtype: 'float32', dims: ['batch', 4] }], ['k', { dtype: 'float32', dims: ['batch', 2] }],
        ]));
        expect(local.graph!.node.map(n => n.opType)).toEqual(['Split', 'Mul']);
        expect(local.graph!.node[0].output.filter(o => o === 'k')).toEqual([]);
        expect(model.graph!.node[0].output).toEqual(['a', 'k']);
        // y = a(x) · k, with k the value fed, not the one the Split computes from x.
        const out = await run(local, { x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 4]), k: new ort.Tensor('float32', Float32Array.of(10, 100), [1, 2]) });
        expect([...(out.y.data as Float32Array)]).toEqual([10, 200]);
    });

    it('is an error when the parents do not cut the tensor off from the graph input', () => {
        expect(() => extractLocalFunction(residualModel(), 'h2', ['h1'], types)).toThrow(HypError);
        expect(() => extractLocalFunction(residualModel(), 'h2', ['h1'], types)).toThrow(/reads "x", which is not among its parents \(h1\)/);
    });

    it('is an error when a parent has no known type', () => {
        expect(() => extractLocalFunction(residualModel(), 'out', ['h2'], new Map())).toThrow(/no type is known for its parent "h2"/);
    });
});

describe('extra outputs', () => {
    it('adds intermediate tensors as outputs once, leaving the model it copies unchanged', async () => {
        const model = residualModel();
        const wide = withExtraOutputs(model, ['h1', 'h2', 'out', 'h1']);
        expect(wide.graph!.output.map(o => o.name)).toEqual(['out', 'h1', 'h2']);
        expect(model.graph!.output.map(o => o.name)).toEqual(['out']);
        // Untyped outputs are accepted by onnxruntime, which infers their types.
        expect(valueInfoType(wide.graph!.output[1])).toEqual({ dtype: null, shape: null });
        const out = await run(wide, { x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [1, 3]) });
        expect(out.h1.dims).toEqual([1, 4]);
        expect(out.h2.dims).toEqual([1, 4]);
    });

    it('types the outputs it is given types for, with a symbolic batch', async () => {
        const wide = withExtraOutputs(residualModel(), ['h1'], types);
        expect(valueInfoType(wide.graph!.output[1])).toEqual({ dtype: 'float32', shape: ['batch', 4] });
        const out = await run(wide, { x: new ort.Tensor('float32', new Float32Array(15), [5, 3]) });
        expect(out.h1.dims).toEqual([5, 4]);
    });
});
