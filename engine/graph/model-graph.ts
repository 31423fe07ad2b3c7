// The model graph as the language server sees it: every named tensor with its declared type and
// producer, read from the ONNX file with the protobuf types only (no onnxruntime).
import { AttributeProto_AttributeType as AT, type ModelProto, type NodeProto } from 'onnx-buf';
import { intValues } from '../onnx/nodes.js';
import { HypError } from '../errors.js';
import { dtypeName } from '../onnx/dtype.js';
import { nodeInputs } from '../onnx/node-inputs.js';
import { readModelFile } from '../onnx/read.js';
import { valueInfoType } from '../onnx/value-info.js';
import type { ModelGraph, TensorInfo } from './types.js';

/** Reads an `.onnx` file into a ModelGraph; file problems are located HypErrors. */
export function loadModelGraph(path: string): ModelGraph {
    return modelGraphFromProto(readModelFile(path), path);
}

/** The ModelGraph of a decoded model: tensor name → dtype, shape, producer and kind. */
export function modelGraphFromProto(model: ModelProto, path: string): ModelGraph {
    const graph = model.graph;
    if (graph === undefined) throw new HypError('the model has no graph', 'model-not-onnx', { file: path });
    if (graph.output.length === 0) {
        throw new HypError('the model has no graph output', 'model-no-output', { file: path },
            'export the model with its output (the logits) as a graph output');
    }
    const tensors = new Map<string, TensorInfo>();
    const initializers = new Set(graph.initializer.map(t => t.name));
    const declared = new Map(
        [...graph.valueInfo, ...graph.input, ...graph.output].map(v => [v.name, valueInfoType(v)] as const));
    const outputs = new Set(graph.output.map(o => o.name));

    for (const t of graph.initializer) {
        tensors.set(t.name, {
            name: t.name,
            // Initializers carry their element type themselves; value_info rarely repeats it.
            dtype: declared.get(t.name)?.dtype ?? dtypeName(t.dataType),
            shape: t.dims.map(Number),
            producer: null,
            kind: 'initializer',
        });
    }
    // An input that also has an initializer is a weight with a default: the model's input is the rest.
    const inputs = graph.input.map(i => i.name).filter(n => !initializers.has(n));
    for (const name of inputs) tensors.set(name, { name, ...declaredType(declared, name), producer: null, kind: 'input' });
    const constants = new Map<string, readonly number[]>();
    for (const t of graph.initializer) {
        const values = t.dims.reduce((a, b) => a * Number(b), 1) <= MAX_CONSTANT ? intValues(t) : undefined;
        if (values !== undefined) constants.set(t.name, values);
    }
    for (const node of graph.node) {
        const inputsOfNode = nodeInputs(node);
        const attributes = attributesOf(node);
        node.output.forEach((name, outputIndex) => {
            if (name === '') return;
            tensors.set(name, {
                name,
                ...declaredType(declared, name),
                producer: { op: node.opType, node: node.name, inputs: inputsOfNode, args: [...node.input], outputIndex, attributes },
                kind: outputs.has(name) ? 'output' : 'intermediate',
            });
        });
        const value = node.opType === 'Constant' ? node.attribute.find(a => a.name === 'value')?.t : undefined;
        const values = value !== undefined && value.dims.reduce((a, b) => a * Number(b), 1) <= MAX_CONSTANT ? intValues(value) : undefined;
        if (values !== undefined && node.output[0]) constants.set(node.output[0], values);
    }
    return { path, tensors, inputs, outputs: graph.output.map(o => o.name), constants };
}

/** Integer constants up to this many elements are kept (indices, axes, slice bounds; not tables). */
const MAX_CONSTANT = 4096;

/** A node's scalar and list attributes (not tensors or graphs). */
function attributesOf(node: NodeProto): Record<string, number | string | readonly number[]> {
    const out: Record<string, number | string | readonly number[]> = {};
    for (const a of node.attribute) {
        if (a.type === AT.INT) out[a.name] = Number(a.i);
        else if (a.type === AT.FLOAT) out[a.name] = a.f;
        else if (a.type === AT.STRING) out[a.name] = new TextDecoder().decode(a.s);
        else if (a.type === AT.INTS) out[a.name] = a.ints.map(Number);
    }
    return out;
}

function declaredType(declared: ReadonlyMap<string, { dtype: string | null; shape: (number | string)[] | null }>, name: string) {
    const t = declared.get(name);
    return { dtype: t?.dtype ?? null, shape: t?.shape ?? null };
}
