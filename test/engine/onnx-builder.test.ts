import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { valueInfoType } from '../../engine/onnx/value-info.js';
import { residualModel, weights } from './graph-fixtures.js';

describe('GraphBuilder', () => {
    it('writes opset 17, ir_version 10, a symbolic batch dim and value_info for every intermediate', () => {
        const model = residualModel();
        expect(model.irVersion).toBe(10n);
        expect(model.opsetImport[0].version).toBe(17n);
        const g = model.graph!;
        expect(valueInfoType(g.input[0])).toEqual({ dtype: 'float32', shape: ['batch', 3] });
        expect(valueInfoType(g.output[0])).toEqual({ dtype: 'float32', shape: ['batch', 2] });
        expect(g.valueInfo.map(v => [v.name, valueInfoType(v).shape])).toEqual([
            ['h1_pre', ['batch', 4]], ['h1', ['batch', 4]], ['skip', ['batch', 4]], ['h2', ['batch', 4]],
        ]);
        expect(g.initializer.map(t => [t.name, t.dims.map(Number)])).toEqual([['W1', [3, 4]], ['W2', [3, 4]], ['W3', [4, 2]]]);
    });

    it('builds a model onnxruntime runs, with the values its ops define', async () => {
        const session = await ort.InferenceSession.create(writeModel(residualModel()));
        const x = Float32Array.of(1, -2, 0.5);
        const out = (await session.run({ x: new ort.Tensor('float32', x, [1, 3]) })).out.data as Float32Array;
        const [w1, w2, w3] = [weights(12, 1), weights(12, 2), weights(8, 3)];
        const h2 = [0, 1, 2, 3].map(j => {
            const pre = x[0] * w1[j] + x[1] * w1[4 + j] + x[2] * w1[8 + j];
            return Math.max(0, pre) + x[0] * w2[j] + x[1] * w2[4 + j] + x[2] * w2[8 + j];
        });
        const expected = [0, 1].map(k => h2.reduce((s, h, j) => s + h * w3[2 * j + k], 0));
        expect(out[0]).toBeCloseTo(expected[0], 5);
        expect(out[1]).toBeCloseTo(expected[1], 5);
        await session.release();
    });

    it('writes int, float, ints and string attributes onnxruntime understands', async () => {
        const b = new GraphBuilder('attrs');
        b.input('x', 'float32', ['batch', 4]);
        b.node('LeakyRelu', ['x'], [{ name: 'leaky', dtype: 'float32', dims: ['batch', 4] }], { alpha: { float: 0.5 } });
        b.node('Transpose', ['leaky'], [{ name: 't', dtype: 'float32', dims: [4, 'batch'] }], { perm: [1, 0] });
        b.node('Cast', ['t'], [{ name: 'i', dtype: 'int64', dims: [4, 'batch'] }], { to: 7 });
        b.output('i');
        const session = await ort.InferenceSession.create(writeModel(b.build()));
        const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(-4, 2, -6, 8), [1, 4]) });
        expect(out.i.dims).toEqual([4, 1]);
        expect([...(out.i.data as BigInt64Array)]).toEqual([-2n, 2n, -3n, 8n]);
        await session.release();
    });

    it('refuses a tensor defined twice, an input used before it is defined, and a non-integer int attribute', () => {
        const b = new GraphBuilder('bad');
        b.input('x', 'float32', ['batch', 1]);
        expect(() => b.input('x', 'float32', ['batch', 1])).toThrow(/defined twice/);
        expect(() => b.node('Relu', ['y'], [{ name: 'r', dtype: 'float32', dims: ['batch', 1] }])).toThrow(/"y" is not defined/);
        expect(() => b.node('Elu', ['x'], [{ name: 'e', dtype: 'float32', dims: ['batch', 1] }], { alpha: 0.5 })).toThrow(/not an int/);
        expect(() => b.initializer('w', Float32Array.of(1, 2, 3), [2, 2])).toThrow(/do not fill/);
    });
});
