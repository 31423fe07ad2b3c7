// The tensors a node reads. Control-flow nodes (If, Loop, Scan) also read outer-scope tensors by
// name from inside their subgraphs; a backwards walk that missed those would cut real edges.
import type { GraphProto, NodeProto } from 'onnx-buf';

/** Every outer tensor a node reads: its named inputs, then names its subgraphs capture, in order, deduplicated. */
export function nodeInputs(node: NodeProto): string[] {
    const out = new Set(node.input.filter(i => i !== ''));
    for (const a of node.attribute) {
        for (const g of a.g !== undefined ? [a.g, ...a.graphs] : a.graphs) {
            for (const name of capturedNames(g)) out.add(name);
        }
    }
    return [...out];
}

/** Names a subgraph reads that it does not define itself (its inputs, initializers or node outputs). */
function capturedNames(g: GraphProto): string[] {
    const defined = new Set<string>([...g.input.map(i => i.name), ...g.initializer.map(t => t.name)]);
    const captured = new Set<string>();
    for (const n of g.node) {
        for (const i of nodeInputs(n)) if (!defined.has(i)) captured.add(i);
        for (const o of n.output) defined.add(o);
    }
    return [...captured];
}
