// Local functions fed a sum cut's parts (graph/sum-cut.ts) stacked along a new axis 1, which
// onnxruntime sums: the executor copies each part's per-part sums into the feed instead of adding
// them in JavaScript, which took half of a paren scrub's assembly time.
import type { ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { defaultOpset, int64Tensor, makeNode, withGraph } from '../onnx/nodes.js';
import { makeValueInfo, valueInfoType } from '../onnx/value-info.js';

export function stackedName(parent: string): string {
    return `${parent}::stacked`;
}

/**
 * `local` with each parent marked in `stacked` read as parts along a new axis 1 and summed by
 * onnxruntime: a sum cut's parts are copied into the feed instead of added in JavaScript.
 */
export function withStackedInputs(local: ModelProto, stacked: readonly boolean[]): ModelProto {
    if (!stacked.some(Boolean)) return local;
    const graph = local.graph!;
    const opset = defaultOpset(local);
    const nodes: NodeProto[] = [];
    const initializers: TensorProto[] = [];
    const inputs = graph.input.map((info, k) => {
        if (!stacked[k]) return info;
        const { dtype, shape } = valueInfoType(info);
        const name = stackedName(info.name);
        const dims: (number | string)[] = shape === null ? ['batch', 'parts'] : [shape[0], 'parts', ...shape.slice(1)];
        if (opset >= 13) {
            initializers.push(int64Tensor(`${name}::axes`, [1]));
            nodes.push(makeNode('ReduceSum', [name, `${name}::axes`], info.name, [{ name: 'keepdims', i: 0n }]));
        } else {
            nodes.push(makeNode('ReduceSum', [name], info.name, [{ name: 'keepdims', i: 0n }, { name: 'axes', ints: [1n] }]));
        }
        return makeValueInfo(name, dtype ?? 'float32', dims);
    });
    return withGraph(local, {
        name: graph.name, input: inputs, output: graph.output,
        node: [...nodes, ...graph.node], initializer: [...graph.initializer, ...initializers],
    });
}

