// Small helpers for the graph rewrites (sum cuts, sliced local functions, stacked inputs): nodes
// with int attributes, int64 constants read from or written as initializers, the default-domain
// opset, and a model with a rewritten graph.
import { create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType as AT, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { tensorProto } from './builder.js';

export interface IntAttribute {
    name: string;
    i?: bigint;
    ints?: bigint[];
}

/** A node with one output, named after it. */
export function makeNode(op: string, inputs: string[], output: string, attrs: IntAttribute[] = []): NodeProto {
    return create(NodeProtoSchema, {
        name: output, opType: op, input: inputs, output: [output],
        attribute: attrs.map(a => create(AttributeProtoSchema, a.ints !== undefined
            ? { name: a.name, type: AT.INTS, ints: a.ints }
            : { name: a.name, type: AT.INT, i: a.i! })),
    });
}

/** A 1-D int64 initializer. */
export function int64Tensor(name: string, values: readonly number[]): TensorProto {
    return tensorProto(name, BigInt64Array.from(values.map(BigInt)), [values.length]);
}

/** The values of an int64 (or int32) initializer, whatever its storage; undefined for other types. */
export function intValues(t: TensorProto): number[] | undefined {
    if (t.int64Data.length > 0) return t.int64Data.map(Number);
    if (t.int32Data.length > 0 && t.dataType === 6) return [...t.int32Data];
    const width = t.dataType === 7 ? 8 : t.dataType === 6 ? 4 : 0;
    if (width === 0 || t.rawData.length % width !== 0) return undefined;
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Array.from({ length: t.rawData.length / width }, (_, i) =>
        width === 8 ? Number(view.getBigInt64(8 * i, true)) : view.getInt32(4 * i, true));
}

/** The model's opset of the default ONNX domain (0 when it imports none). */
export function defaultOpset(model: ModelProto): number {
    return Number(model.opsetImport.find(o => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n);
}

/** `model` (its IR version, opsets, producer and functions) with a new graph of these fields. */
export function withGraph(model: ModelProto,
    graph: Pick<GraphProto, 'name' | 'input' | 'output' | 'node' | 'initializer'>): ModelProto {
    return create(ModelProtoSchema, {
        irVersion: model.irVersion,
        opsetImport: model.opsetImport,
        producerName: model.producerName,
        functions: model.functions,
        graph: create(GraphProtoSchema, graph),
    });
}
