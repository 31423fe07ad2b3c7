import { describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { loadModelGraph, modelGraphFromProto } from '../../engine/graph/model-graph.js';
import type { GraphSpec } from '../../engine/spec.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { TOY_MODEL, residualModel } from './graph-fixtures.js';

const toy = loadModelGraph(TOY_MODEL);
const toySpec: GraphSpec = {
    inputSplit: { axis: 1, parts: [{ name: 'z1', indices: [0] }, { name: 'z2', indices: [1] }, { name: 'z3', indices: [2] }] },
    hooks: ['A', 'B', 'C', 'D'].map(n => ({ name: n, tensor: n })),
};
const residual = modelGraphFromProto(residualModel(), 'residual.onnx');

describe('G of the toy model', () => {
    const { g, problems } = deriveG(toy, toySpec);

    it('has the input parts, the hook points and the output, and no problems', () => {
        expect(problems).toEqual([]);
        expect([...g.nodes.keys()]).toEqual(['input.z1', 'input.z2', 'input.z3', 'A', 'B', 'C', 'D', 'output']);
        expect(g.nodes.get('input.z2')).toEqual({
            name: 'input.z2', kind: 'input',
            tensors: [{ tensor: 'x', coverage: { kind: 'part', part: { name: 'z2', indices: [1] }, axis: 1 } }],
        });
        expect(g.nodes.get('output')?.tensors).toEqual([{ tensor: 'logits', coverage: { kind: 'all' } }]);
    });

    it('leaves out input.rest: the three parts cover all of x [batch, 3]', () => {
        expect(g.nodes.has('input.rest')).toBe(false);
        expect(g.nodesOfTensor('x')).toEqual(['input.z1', 'input.z2', 'input.z3']);
    });

    it('gives each hook point its G-parents: all parts of what its local function reads', () => {
        expect(g.parents('A')).toEqual(['input.z1', 'input.z2', 'input.z3']);
        expect(g.parents('D')).toEqual(['A', 'B', 'C']);
        expect(g.parents('output')).toEqual(['D']);
        expect(g.parents('input.z1')).toEqual([]);
        expect(g.tensorParents('D')).toEqual(['A', 'B', 'C']);
        expect(g.tensorParents('A')).toEqual(['x']);
    });

    it('orders computed tensors parents first', () => {
        expect(g.computedTensors).toEqual(['A', 'B', 'C', 'D', 'logits']);
    });

    it('names the hook points between two nodes that are not directly connected', () => {
        // Every part of x is a G-parent of A, B and C (each reads x whole), so all three lie between.
        expect(g.between('input.z1', 'D')).toEqual(['A', 'B', 'C']);
        expect(g.between('input.z1', 'output')).toEqual(['A', 'B', 'C', 'D']);
        expect(g.between('A', 'output')).toEqual(['D']);
        expect(g.between('A', 'D')).toEqual([]);
        expect(g.between('D', 'A')).toEqual([]);
        expect(g.isAncestor('input.z3', 'output')).toBe(true);
        expect(g.isAncestor('A', 'B')).toBe(false);
        expect(g.isAncestor('A', 'A')).toBe(false);
    });

    it('without hooks, the output is computed straight from the input', () => {
        const bare = deriveG(toy, { hooks: [] }).g;
        expect([...bare.nodes.keys()]).toEqual(['input', 'output']);
        expect(bare.parents('output')).toEqual(['input']);
        expect(bare.computedTensors).toEqual(['logits']);
    });
});

describe('G of a model with a skip connection', () => {
    const { g, problems } = deriveG(residual, {
        hooks: [{ name: 'h2', tensor: 'h2' }, { name: 'h1', tensor: 'h1', split: { axis: 1, parts: [{ name: 'front', indices: [0, 1] }] } }],
    });

    it('finds the parents of h2 through both paths: h1 and the input (through the skip MatMul)', () => {
        expect(problems).toEqual([]);
        expect(g.tensorParents('h2')).toEqual(['h1', 'x']);
        expect(g.tensorParents('h1')).toEqual(['x']);
        expect(g.tensorParents('out')).toEqual(['h2']);
        expect(g.parents('h2')).toEqual(['h1.front', 'h1.rest', 'input']);
    });

    it('sorts computed tensors by data flow, not by declaration order', () => {
        expect(g.computedTensors).toEqual(['h1', 'h2', 'out']);
    });

    it('the input is a direct parent of h2 and an ancestor of out through h1 and h2', () => {
        expect(g.between('input', 'h2')).toEqual([]);
        expect(g.between('input', 'output')).toEqual(['h1.front', 'h1.rest', 'h2']);
        expect(g.between('h1.front', 'output')).toEqual(['h2']);
    });

    it('walks any tensor back to its frontier, including tensors that are not hook points', () => {
        expect(g.tensorParents('skip')).toEqual(['x']);
        expect(g.tensorParents('x')).toEqual([]);
    });
});

describe('problems in hook declarations', () => {
    const problemsOf = (spec: GraphSpec, graph = toy) => deriveG(graph, spec).problems;

    it('an unknown tensor is an error with the closest tensor name as a suggestion', () => {
        const [p] = problemsOf({ hooks: [{ name: 'd', tensor: 'D_centred' }] });
        expect(p).toMatchObject({ code: 'unknown-tensor', severity: 'error', hook: 'd', suggestion: 'D_centered' });
        expect(p.message).toBe('no tensor "D_centred" in the model; did you mean "D_centered"?');
    });

    it('suggests among long exported names with dots and slashes, not among weights', () => {
        const b = new GraphBuilder('names');
        b.input('input_ids', 'float32', ['batch', 2]);
        b.initializer('/layers.0/attn/Add_weight', Float32Array.of(1, 2), [2]);
        b.node('Add', ['input_ids', '/layers.0/attn/Add_weight'], [{ name: '/layers.0/attn/Add_output_0', dtype: 'float32', dims: ['batch', 2] }]);
        b.node('Relu', ['/layers.0/attn/Add_output_0'], [{ name: '/layers.1/mlp/Relu_output_0', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('/layers.1/mlp/Relu_output_0');
        const graph = modelGraphFromProto(b.build(), 'names.onnx');
        expect(problemsOf({ hooks: [{ name: 'a', tensor: '/layers.0/attn/add_output_0' }] }, graph)[0].suggestion).toBe('/layers.0/attn/Add_output_0');
        expect(problemsOf({ hooks: [{ name: 'a', tensor: '/layer.0/atn/Add_output_0' }] }, graph)[0].suggestion).toBe('/layers.0/attn/Add_output_0');
        expect(problemsOf({ hooks: [{ name: 'a', tensor: 'something_else_entirely' }] }, graph)[0].suggestion).toBeUndefined();
    });

    it('a tensor declared twice is an error on the second declaration, which is left out of G', () => {
        const { g, problems } = deriveG(toy, { hooks: [{ name: 'a', tensor: 'A' }, { name: 'a2', tensor: 'A' }] });
        expect(problems).toEqual([{ code: 'duplicate-tensor', severity: 'error', hook: 'a2', message: 'tensor "A" is already the hook point "a"' }]);
        expect(g.nodes.has('a2')).toBe(false);
    });

    it('a hook on the model input, the model output or a weight is an error', () => {
        const problems = problemsOf({ hooks: [{ name: 'i', tensor: 'x' }, { name: 'o', tensor: 'logits' }, { name: 'w', tensor: 'three' }] });
        expect(problems.map(p => [p.hook, p.code])).toEqual([['i', 'duplicate-tensor'], ['o', 'duplicate-tensor'], ['w', 'unreachable-tensor']]);
        expect(problems[2].message).toMatch(/initializer/);
    });

    it('a hook on a tensor computed from constants only is a warning, and stays in G', () => {
        const b = new GraphBuilder('const');
        b.input('x', 'float32', ['batch', 1]);
        b.initializer('c', Float32Array.of(2), [1]);
        b.node('Neg', ['c'], [{ name: 'k', dtype: 'float32', dims: [1] }]);
        b.node('Add', ['x', 'k'], [{ name: 'y', dtype: 'float32', dims: ['batch', 1] }]);
        b.output('y');
        const { g, problems } = deriveG(modelGraphFromProto(b.build(), 'const.onnx'), { hooks: [{ name: 'k', tensor: 'k' }] });
        expect(problems).toMatchObject([{ code: 'unreachable-tensor', severity: 'warning', hook: 'k' }]);
        expect(g.parents('k')).toEqual([]);
        expect(g.parents('output')).toEqual(['input', 'k']);
    });

    it('an input split of a model with several inputs must name the input', () => {
        const b = new GraphBuilder('two');
        b.input('a', 'float32', ['batch', 2]);
        b.input('b', 'float32', ['batch', 2]);
        b.node('Add', ['a', 'b'], [{ name: 's', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('s');
        const graph = modelGraphFromProto(b.build(), 'two.onnx');
        const split = { axis: 1, parts: [{ name: 'first', indices: [0] }] };
        expect(problemsOf({ hooks: [], inputSplit: split }, graph)).toMatchObject([{ code: 'unknown-input', hook: 'input' }]);
        expect(problemsOf({ hooks: [], inputSplit: { ...split, tensor: 'bb' } }, graph)).toMatchObject([{ code: 'unknown-input', suggestion: 'b' }]);
        // Named, the rest of the input holds the rest of `a` and all of `b`.
        const { g } = deriveG(graph, { hooks: [], inputSplit: { ...split, tensor: 'a' } });
        expect(g.nodes.get('input.rest')?.tensors.map(t => [t.tensor, t.coverage.kind])).toEqual([['a', 'rest'], ['b', 'all']]);
        expect(g.nodesOfTensor('b')).toEqual(['input.rest']);
        expect(g.parents('output')).toEqual(['input.first', 'input.rest']);
    });
});
