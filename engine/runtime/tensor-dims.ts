// Every tensor's dims, batch axis included, for the sliced local functions (graph/region-slice.ts):
// the model run with every node output fetched, on two batch sizes, so that an axis whose size
// follows the batch (which a slice must never touch) is told apart from a fixed one.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import type { FullDims } from '../graph/region-slice.js';
import { withExtraOutputs } from '../graph/local-function.js';
import type { ModelInputs } from '../execute/model-inputs.js';
import { writeModel } from '../onnx/read.js';
import { createSession, type SessionOptions } from './session.js';

export async function probeFullDims(model: ModelProto, inputs: ModelInputs, opts: SessionOptions): Promise<Map<string, FullDims>> {
    const tensors = [...new Set(model.graph!.node.flatMap(n => n.output).filter(o => o !== ''))];
    const { session } = await createSession(writeModel(withExtraOutputs(model, tensors)), { ...opts, providers: ['cpu'] });
    try {
        const shapes = async (batch: number) => {
            const examples = new Int32Array(batch);
            const feeds: Record<string, ort.Tensor> = {};
            for (const name of inputs.names) {
                const act = inputs.batch(name, examples);
                feeds[name] = new ort.Tensor(inputs.dtype(name) as ort.Tensor.Type, act.data as ort.Tensor.DataType, [batch, ...act.dims]);
            }
            const out = await session.run(feeds, tensors);
            return new Map(tensors.map(t => [t, out[t].dims]));
        };
        const two = await shapes(2), three = await shapes(3);
        const dims = new Map<string, FullDims>();
        for (const t of tensors) {
            const a = two.get(t)!, b = three.get(t)!;
            if (a.length === b.length) dims.set(t, a.map((n, i) => (n === b[i] ? n : null)));
        }
        for (const name of inputs.names) dims.set(name, [null, ...inputs.dims(name)]);
        return dims;
    } finally {
        await session.release();
    }
}
