import { create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, NodeProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { HypError } from '../../engine/errors.js';
import { loadModelGraph, modelGraphFromProto } from '../../engine/graph/model-graph.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { readModelFile } from '../../engine/onnx/read.js';
import { TOY_MODEL } from './graph-fixtures.js';

describe('the model graph read from an ONNX file', () => {
    const graph = loadModelGraph(TOY_MODEL);

    it('lists the graph inputs (not initializers) and outputs in file order', () => {
        expect(graph.path).toBe(TOY_MODEL);
        expect(graph.inputs).toEqual(['x']);
        expect(graph.outputs).toEqual(['logits']);
    });

    it('gives each tensor its dtype, shape, producer and kind', () => {
        expect(graph.tensors.get('x')).toEqual({ name: 'x', dtype: 'float32', shape: ['batch', 3], producer: null, kind: 'input' });
        expect(graph.tensors.get('A')).toEqual({
            name: 'A', dtype: 'float32', shape: ['batch', 1], kind: 'intermediate',
            producer: { op: 'Cast', node: 'Cast_4', inputs: ['A_gt'], args: ['A_gt'], outputIndex: 0, attributes: { to: 1 } },
        });
        expect(graph.tensors.get('A_gt')?.dtype).toBe('bool');
        expect(graph.tensors.get('D')?.producer?.inputs).toEqual(['A_or_B', 'C_times_zero']);
        expect(graph.tensors.get('logits')).toMatchObject({ kind: 'output', shape: ['batch', 2], producer: { op: 'Concat' } });
    });

    it('types initializers from the tensor itself', () => {
        expect(graph.tensors.get('three')).toEqual({ name: 'three', dtype: 'float32', shape: [], producer: null, kind: 'initializer' });
        expect(graph.tensors.get('index_0')).toMatchObject({ dtype: 'int64', shape: [1], kind: 'initializer' });
    });

    it('says null where the file has no value_info', () => {
        const model = readModelFile(TOY_MODEL);
        model.graph!.valueInfo = [];
        const bare = modelGraphFromProto(model, 'bare.onnx');
        expect(bare.tensors.get('A')).toMatchObject({ dtype: null, shape: null, producer: { op: 'Cast' } });
    });

    it('counts tensors captured by a subgraph (If branches) as inputs of the node', () => {
        const b = new GraphBuilder('if');
        b.input('x', 'float32', ['batch', 1]);
        b.input('flag', 'bool', []);
        b.node('Relu', ['x'], [{ name: 'r', dtype: 'float32', dims: ['batch', 1] }]);
        b.node('Neg', ['x'], [{ name: 'n', dtype: 'float32', dims: ['batch', 1] }]);
        const model = b.build();
        // An If node whose branches read the outer tensors r and n without declaring them as inputs.
        const branch = (name: string, read: string) => create(GraphProtoSchema, {
            name, node: [create(NodeProtoSchema, { opType: 'Identity', input: [read], output: [`${name}_out`] })],
            output: [create(ValueInfoProtoSchema, { name: `${name}_out` })],
        });
        model.graph!.node.push(create(NodeProtoSchema, {
            opType: 'If', name: 'choose', input: ['flag'], output: ['y'],
            attribute: [
                create(AttributeProtoSchema, { name: 'then_branch', type: AttributeProto_AttributeType.GRAPH, g: branch('then', 'r') }),
                create(AttributeProtoSchema, { name: 'else_branch', type: AttributeProto_AttributeType.GRAPH, g: branch('else', 'n') }),
            ],
        }));
        model.graph!.output.push(create(ValueInfoProtoSchema, { name: 'y' }));
        const g = modelGraphFromProto(model, 'if.onnx');
        expect(g.tensors.get('y')?.producer?.inputs).toEqual(['flag', 'r', 'n']);
    });

    it('a missing file is a located HypError', () => {
        expect(() => loadModelGraph('/no/such/model.onnx')).toThrow(HypError);
    });
});
