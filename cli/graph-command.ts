// `hyp graph MODEL.onnx`: what a hypothesis can name — inputs, outputs and every tensor with its
// dtype, shape and producing op.
import { loadModelGraph } from '../engine/graph/model-graph.js';
import type { TensorInfo } from '../engine/graph/types.js';

export function graphCommand(file: string, json: boolean): number {
    const graph = loadModelGraph(file);
    const tensors = [...graph.tensors.values()].filter(t => t.kind !== 'initializer');
    if (json) {
        console.log(JSON.stringify({ inputs: graph.inputs, outputs: graph.outputs, tensors }, null, 2));
        return 0;
    }
    const shape = (t: TensorInfo) => (t.shape ? `[${t.shape.join(', ')}]` : '?');
    const rows = tensors.map(t => [t.name, t.dtype ?? '?', shape(t), t.producer?.op ?? t.kind]);
    const widths = [0, 1, 2].map(k => Math.max(...rows.map(r => r[k].length), 6));
    console.log(`inputs:  ${graph.inputs.join(', ')}`);
    console.log(`outputs: ${graph.outputs.join(', ')}`);
    console.log('');
    console.log(['tensor', 'dtype', 'shape', 'op'].map((h, k) => (k < 3 ? h.padEnd(widths[k]) : h)).join('  '));
    for (const r of rows) console.log(r.map((c, k) => (k < 3 ? c.padEnd(widths[k]) : c)).join('  '));
    return 0;
}
