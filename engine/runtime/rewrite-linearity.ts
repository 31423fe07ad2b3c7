// The check on dataset rows that the map of a rewrite through a map is linear (DESIGN.md §2.1):
// the map alone (the local function from the source Z to the tensor O) is run on pairs of rows'
// Z, their sum and zero, and O(a + b) must equal O(a) + O(b) − O(0) within REWRITE_TOLERANCE of
// the largest value. The structural check (graph/rewrite-through.ts) admits only linear ops; this
// one sees what the structure does not (a float evaluation that is not additive, an op whose
// constant operand is not what its position says).
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { extractLocalFunction } from '../graph/local-function.js';
import type { RewrittenHook } from '../graph/rewrite.js';
import type { TensorType } from '../onnx/dtype.js';
import { writeModel } from '../onnx/read.js';
import type { ModelInputs } from '../execute/model-inputs.js';
import { createSession, type SessionOptions } from './session.js';

/** Largest |O(a + b) − O(a) − O(b) + O(0)| allowed, relative to the largest |O| of the four. */
export const LINEARITY_TOLERANCE = 1e-5;

export interface LinearityMismatch {
    /** The difference, absolute and relative to the largest value (Infinity when all are zero). */
    absolute: number;
    relative: number;
    /** The two dataset examples of the pair where it is largest. */
    rows: [number, number];
}

/**
 * The worst pair of consecutive rows (examples 2i and 2i + 1 of `z`, the source's activations on
 * the first rows) on which the map of `hook` is not additive; undefined when every pair is.
 */
export async function linearityMismatch(model: ModelProto, hook: RewrittenHook, z: ort.Tensor, inputs: ModelInputs, opts: SessionOptions): Promise<LinearityMismatch | undefined> {
    const source = hook.source;
    const pairs = Math.floor(z.dims[0] / 2);
    if (source === undefined || pairs === 0) return undefined;
    // The map may read the model's inputs for shapes alone (a torch export's reshapes take the
    // batch size from them; the structural check refused any value read): they are fed row a's.
    const types = new Map<string, TensorType>([[source, { dtype: 'float32', dims: [...z.dims] }],
        ...inputs.names.map(n => [n, { dtype: inputs.dtype(n), dims: [1, ...inputs.dims(n)] }] as [string, TensorType])]);
    const map = extractLocalFunction(model, hook.tensor, [source, ...inputs.names], types);
    const rowsOfFeed = Int32Array.from({ length: 4 * pairs }, (_, i) => 2 * Math.floor(i / 4));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of inputs.names) {
        const b = inputs.batch(name, rowsOfFeed);
        const n = b.dims.reduce((x, y) => x * y, 1);
        feeds[name] = new ort.Tensor(inputs.dtype(name) as ort.Tensor.Type, b.data.slice(b.offset, b.offset + 4 * pairs * n) as ort.Tensor.DataType, [4 * pairs, ...b.dims]);
    }
    const size = z.dims.slice(1).reduce((a, b) => a * b, 1);
    const data = z.data as Float32Array;
    // Per pair: a, b, a + b, 0.
    const feed = new Float32Array(4 * pairs * size);
    for (let p = 0; p < pairs; p++) {
        const a = data.subarray(2 * p * size, (2 * p + 1) * size), b = data.subarray((2 * p + 1) * size, (2 * p + 2) * size);
        const base = 4 * p * size;
        feed.set(a, base);
        feed.set(b, base + size);
        for (let i = 0; i < size; i++) feed[base + 2 * size + i] = a[i] + b[i];
    }
    const { session } = await createSession(writeModel(map), opts);
    try {
        feeds[source] = new ort.Tensor('float32', feed, [4 * pairs, ...z.dims.slice(1)]);
        const out = await session.run(feeds, [hook.tensor]);
        const o = out[hook.tensor].data as Float32Array;
        const n = o.length / (4 * pairs);
        let worst: LinearityMismatch | undefined;
        for (let p = 0; p < pairs; p++) {
            const base = 4 * p * n;
            let scale = 0, absolute = 0;
            for (let i = 0; i < n; i++) {
                const oa = o[base + i], ob = o[base + n + i], oab = o[base + 2 * n + i], o0 = o[base + 3 * n + i];
                scale = Math.max(scale, Math.abs(oa), Math.abs(ob), Math.abs(oab), Math.abs(o0));
                const d = Math.abs(oab - oa - ob + o0);
                absolute = Number.isNaN(d) ? Infinity : Math.max(absolute, d);
            }
            const relative = absolute === 0 ? 0 : absolute / Math.max(scale, Number.MIN_VALUE);
            if (relative > LINEARITY_TOLERANCE && (worst === undefined || relative > worst.relative)) worst = { absolute, relative, rows: [2 * p, 2 * p + 1] };
        }
        return worst;
    } finally {
        await session.release();
    }
}
