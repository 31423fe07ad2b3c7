// Which intermediate tensors can be fed per example. The executor stacks activations along a
// leading batch axis and slices one example out of them; an intermediate tensor qualifies when a
// run on two examples gives [2, ...d], a run on one gives [1, ...d], and the first example's
// slice is the same both times. A Shape output, a reshape that folds the batch into another axis
// or a transpose that moves it fail, and the clean cut then stops before them.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import type { Activation, NumericArray } from '../execute/model-runner.js';
import { withExtraOutputs } from '../graph/local-function.js';
import { writeModel } from '../onnx/read.js';
import { createSession, type ExampleType, type SessionOptions } from './session.js';

export interface BatchFeeds {
    readonly names: readonly string[];
    readonly count: number;
    dtype(name: string): string;
    batch(name: string, examples: Int32Array): Activation;
}

/** The per-example type of each of `tensors` that is batch-major; the others are left out. */
export async function batchMajorTypes(model: ModelProto, tensors: readonly string[], inputs: BatchFeeds,
    opts: SessionOptions): Promise<Map<string, ExampleType>> {
    const result = new Map<string, ExampleType>();
    if (tensors.length === 0) return result;
    const { session } = await createSession(writeModel(withExtraOutputs(model, tensors)), opts);
    try {
        const run = async (examples: Int32Array) => {
            const feeds: Record<string, ort.Tensor> = {};
            for (const name of inputs.names) {
                const act = inputs.batch(name, examples);
                feeds[name] = new ort.Tensor(inputs.dtype(name) as ort.Tensor.Type, act.data as ort.Tensor.DataType, [examples.length, ...act.dims]);
            }
            return session.run(feeds, [...tensors]);
        };
        const one = await run(Int32Array.of(0));
        const two = await run(Int32Array.of(0, Math.min(1, inputs.count - 1)));
        for (const t of tensors) {
            const a = one[t], b = two[t];
            if (a.dims[0] !== 1 || b.dims[0] !== 2 || a.dims.length !== b.dims.length || a.dims.some((d, i) => i > 0 && d !== b.dims[i])) continue;
            if (!sameFirstExample(a.data as NumericArray, b.data as NumericArray)) continue;
            result.set(t, { dtype: a.type, dims: a.dims.slice(1) });
        }
        return result;
    } finally {
        await session.release();
    }
}

/** Whether `one` (a single example) equals the first example of `two`, to float32 rounding. */
function sameFirstExample(one: NumericArray, two: NumericArray): boolean {
    if (two.length !== 2 * one.length) return false;
    for (let i = 0; i < one.length; i++) {
        const x = Number(one[i]), y = Number(two[i]);
        if (x !== y && !(Math.abs(x - y) <= 1e-5 + 1e-5 * Math.abs(y))) return false;
    }
    return true;
}
