// Applies the rewrites of hooks into sums of parts (graph/rewrite.ts) to the ONNX model the
// engine runs: the same nodes and constants the model graph got, each added node placed right
// after the node producing its hook (so the node list stays in topological order), and every
// consumer of a rewritten hook reading the sum of its parts.
import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema, TensorProtoSchema, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import type { AddedConstant, RewritePatch } from '../graph/rewrite.js';
import { dtypeCode } from './dtype.js';
import { withGraph } from './nodes.js';

/** `model` with the patch applied; the model itself when the patch is empty. */
export function applyRewritesToModel(model: ModelProto, patch: RewritePatch): ModelProto {
    if (patch.hooks.size === 0) return model;
    const graph = model.graph!;
    const sums = new Map([...patch.hooks.values()].map(h => [h.tensor, h.sum]));
    const byOutput = new Map<string, NodeProto>();
    for (const n of graph.node) for (const o of n.output) byOutput.set(o, n);
    const added = new Map<NodeProto, NodeProto[]>();
    for (const a of patch.nodes) {
        const original = a.copyOf === undefined ? undefined : byOutput.get(a.copyOf);
        const node = create(NodeProtoSchema, {
            name: a.name, opType: a.op, domain: original?.domain ?? '', input: a.inputs, output: a.outputs,
            attribute: original?.attribute ?? [],
        });
        const anchor = byOutput.get(a.after);
        if (anchor === undefined) throw new Error(`rewrite: no node produces ${a.after}`);
        const list = added.get(anchor);
        if (list === undefined) added.set(anchor, [node]);
        else list.push(node);
    }
    const nodes: NodeProto[] = [];
    for (const n of graph.node) {
        const reads = n.input.some(i => sums.has(i));
        nodes.push(reads ? create(NodeProtoSchema, { ...n, input: n.input.map(i => sums.get(i) ?? i) }) : n);
        nodes.push(...(added.get(n) ?? []));
    }
    const out = withGraph(model, {
        name: graph.name, input: graph.input, output: graph.output, node: nodes,
        initializer: [...graph.initializer, ...patch.constants.map(constantTensor)],
    });
    out.graph!.valueInfo = graph.valueInfo;
    return out;
}

function constantTensor(c: AddedConstant): TensorProto {
    const bytes = c.dtype === 'bool' ? Uint8Array.from(c.values) : new Uint8Array(Float32Array.from(c.values).buffer);
    return create(TensorProtoSchema, { name: c.name, dims: c.dims.map(BigInt), dataType: dtypeCode(c.dtype), rawData: bytes });
}
