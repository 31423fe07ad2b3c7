import { readFileSync } from 'node:fs';
import type { ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { HypError } from '../../engine/errors.js';
import type { ModelInputs } from '../../engine/execute/model-inputs.js';
import { OrtModelRunner, type Activation, type ModelRunner } from '../../engine/execute/model-runner.js';
import { deriveG } from '../../engine/graph/derive-g.js';
import { modelGraphFromProto } from '../../engine/graph/model-graph.js';
import { readModelFile } from '../../engine/onnx/read.js';
import { selfCheckLocalFunctions } from '../../engine/runtime/self-check.js';
import { probeTensorTypes } from '../../engine/runtime/session.js';
import type { GraphSpec } from '../../engine/spec.js';
import { TOY_MODEL, residualModel } from './graph-fixtures.js';

/** Model inputs held in memory: one float32 column of examples per graph input. */
function floatInputs(name: string, dims: number[], data: Float32Array): ModelInputs {
    const size = dims.reduce((a, b) => a * b, 1);
    return {
        names: [name],
        count: data.length / size,
        has: n => n === name,
        dtype: () => 'float32',
        dims: () => dims,
        batch(_n, examples) {
            const out = new Float32Array(examples.length * size);
            examples.forEach((e, b) => out.set(data.subarray(e * size, (e + 1) * size), b * size));
            return { data: out, offset: 0, dims };
        },
    };
}

async function check(model: ModelProto, spec: GraphSpec, inputs: ModelInputs, examples: number[]) {
    const { g, problems } = deriveG(modelGraphFromProto(model, 'model.onnx'), spec);
    expect(problems).toEqual([]);
    const types = await probeTensorTypes(model, g.computedTensors, { [inputs.names[0]]: inputs.batch(inputs.names[0], Int32Array.of(0)) }, inputs);
    const runner = new OrtModelRunner(model, g, inputs, types, { providers: ['cpu'] });
    try {
        return { g, diffs: await selfCheckLocalFunctions(runner, g, Int32Array.from(examples)) };
    } finally {
        await runner.dispose();
    }
}

describe('the local-function self-check', () => {
    it('on the toy model, every local function reproduces its tensor exactly', async () => {
        const rows = readFileSync(TOY_MODEL.replace(/\.onnx$/, '.jsonl'), 'utf8').trim().split('\n').slice(0, 64);
        const x = Float32Array.from(rows.flatMap(r => (JSON.parse(r) as { z: number[] }).z));
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 'z1', indices: [0] }, { name: 'z2', indices: [1] }, { name: 'z3', indices: [2] }] },
            hooks: ['A', 'B', 'C', 'D'].map(n => ({ name: n, tensor: n })),
        };
        const { diffs } = await check(readModelFile(TOY_MODEL), spec, floatInputs('x', [3], x), Array.from({ length: 64 }, (_, i) => i));
        expect(Object.fromEntries(diffs)).toEqual({ A: 0, B: 0, C: 0, D: 0, logits: 0 });
    });

    it('on a model with a skip connection, h2 is recomputed from h1 and the input within float32 rounding', async () => {
        const x = Float32Array.from({ length: 30 }, (_, i) => Math.cos(i * 1.7) * 3);
        const spec: GraphSpec = { hooks: [{ name: 'h1', tensor: 'h1', split: { axis: 1, parts: [{ name: 'front', indices: [0, 1] }] } }, { name: 'h2', tensor: 'h2' }] };
        const { g, diffs } = await check(residualModel(), spec, floatInputs('x', [3], x), [0, 3, 5, 9]);
        expect(g.tensorParents('h2')).toEqual(['h1', 'x']);
        expect([...diffs.keys()]).toEqual(['h1', 'h2', 'out']);
        for (const d of diffs.values()) expect(d).toBeLessThanOrEqual(1e-6);
    });

    it('fails, naming the hook point and its tensor, when a local function does not reproduce it, and tolerates float rounding', async () => {
        const model = residualModel();
        const spec: GraphSpec = { hooks: [{ name: 'h1', tensor: 'h1' }, { name: 'h2', tensor: 'h2' }] };
        const { g } = deriveG(modelGraphFromProto(model, 'model.onnx'), spec);
        const inputs = floatInputs('x', [3], Float32Array.from({ length: 12 }, (_, i) => i - 6));
        const types = await probeTensorTypes(model, g.computedTensors, { x: inputs.batch('x', Int32Array.of(0)) }, inputs);
        const runner = new OrtModelRunner(model, g, inputs, types, { providers: ['cpu'] });
        // A runner whose local function of h2 is off by `delta` in one element of the second example.
        const skewed = (delta: number): Pick<ModelRunner, 'clean' | 'local'> => ({
            clean: (examples, tensors) => runner.clean(examples, tensors),
            async local(tensor, parents, feeds) {
                const out = await runner.local(tensor, parents, feeds);
                if (tensor === 'h2') (out.data as Float32Array)[out.offset + 4 + 1] += delta;
                return out;
            },
        });
        try {
            const error = await selfCheckLocalFunctions(skewed(1e-2), g, Int32Array.of(0, 3)).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(HypError);
            expect((error as HypError).code).toBe('self-check');
            expect((error as HypError).message).toMatch(/^self-check failed for hook point h2 \("h2"\): on dataset example 3, element 1 is /);
            const diffs = await selfCheckLocalFunctions(skewed(2e-6), g, Int32Array.of(0, 3));
            expect(diffs.get('h2')).toBeGreaterThan(1e-6);
            expect(diffs.get('h2')).toBeLessThan(3e-6);
        } finally {
            await runner.dispose();
        }
    });

    // A runner whose clean activations and local functions are given arrays, one example of 3 elements.
    function fixedRunner(clean: Activation['data'], local: Activation['data']): Pick<ModelRunner, 'clean' | 'local'> {
        return {
            clean: async (_examples, tensors) => new Map(tensors.map(t => [t, { data: clean, offset: 0, dims: [3] }])),
            local: async () => ({ data: local, offset: 0, dims: [3] }),
        };
    }
    const h1Only = () => deriveG(modelGraphFromProto(residualModel(), 'model.onnx'), { hooks: [{ name: 'h1', tensor: 'h1' }] }).g;

    it('counts NaN from the local function where the model has NaN as agreement (a masked score is NaN in both)', async () => {
        const nan = Float32Array.of(NaN, 1, 2);
        const diffs = await selfCheckLocalFunctions(fixedRunner(nan, Float32Array.of(NaN, 1, 2)), h1Only(), Int32Array.of(0));
        expect(diffs.get('h1')).toBe(0);
        const error = await selfCheckLocalFunctions(fixedRunner(nan, Float32Array.of(0, 1, 2)), h1Only(), Int32Array.of(0)).catch((e: unknown) => e);
        expect((error as HypError).message).toMatch(/^self-check failed for hook point h1 \("h1"\): on dataset example 0, element 0 is 0 from its local function but NaN in the model/);
    });

    it('requires integer and boolean tensors to agree exactly, where floats get a rounding tolerance', async () => {
        const error = await selfCheckLocalFunctions(fixedRunner(Int32Array.of(1_000_000, 0, 0), Int32Array.of(1_000_001, 0, 0)), h1Only(), Int32Array.of(0))
            .catch((e: unknown) => e);
        expect((error as HypError).message).toMatch(/element 0 is 1000001 from its local function but 1000000 in the model/);
        const bool = await selfCheckLocalFunctions(fixedRunner(Uint8Array.of(1, 0, 1), Uint8Array.of(1, 1, 1)), h1Only(), Int32Array.of(0)).catch((e: unknown) => e);
        expect((bool as HypError).code).toBe('self-check');
        const floats = await selfCheckLocalFunctions(fixedRunner(Float32Array.of(1_000_000, 0, 0), Float32Array.of(1_000_001, 0, 0)), h1Only(), Int32Array.of(0));
        expect(floats.get('h1')).toBe(1);
    });
});
