// The ONNX nodes of a local function: the producers walked back from its tensor up to its parents.
// The cut analyses (clean-cut.ts, sum-cut.ts) read the same sub-graph that local-function.ts cuts out.
import type { ModelProto, NodeProto } from 'onnx-buf';
import { nodeInputs } from '../onnx/node-inputs.js';

/** The nodes computing `tensor` from `parents` (graph inputs and initializers reached are not nodes). */
export function localFunctionNodes(model: ModelProto, tensor: string, parents: readonly string[]): Set<NodeProto> {
    const producer = new Map<string, NodeProto>();
    for (const n of model.graph!.node) for (const o of n.output) if (o !== '') producer.set(o, n);
    const parentSet = new Set(parents);
    const nodes = new Set<NodeProto>();
    const stack = [tensor];
    const seen = new Set<string>();
    while (stack.length > 0) {
        const t = stack.pop()!;
        if (seen.has(t) || parentSet.has(t)) continue;
        seen.add(t);
        const node = producer.get(t);
        if (node === undefined || nodes.has(node)) continue;
        nodes.add(node);
        stack.push(...nodeInputs(node));
    }
    return nodes;
}
