// The structural check of a rewrite through a map (engine/graph/rewrite.ts): which ops between a
// split source Z and the rewritten tensor O pass as linear, and what the error names when one
// does not. Each case is a small model Z → (ops) → O → logits built with the ONNX builder.
import { describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { modelGraphFromProto } from '../../engine/graph/model-graph.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import type { GraphSpec } from '../../engine/spec.js';

const f = (name: string, ...dims: number[]) => ({ name, dtype: 'float32', dims: ['batch', ...dims] });
const spec: GraphSpec = { hooks: [
    { name: 'Z', tensor: 'Z', split: { axis: 1, parts: [{ name: 'a', indices: [0] }, { name: 'b', indices: [1] }] } },
    { name: 'O', tensor: 'O', rewrite: { kind: 'through', source: 'Z' } },
] };

/** x [batch, 2] → Z = x · 1 → body(Z) = O → logits = O · 1 (2 classes). */
function problemsOf(body: (b: GraphBuilder) => void) {
    const b = new GraphBuilder('case');
    b.input('x', 'float32', ['batch', 2]);
    b.initializer('one', Float32Array.of(1), []);
    b.initializer('c2', Float32Array.of(0.5, -0.5), [2]);
    b.node('Mul', ['x', 'one'], [f('Z', 2)]);
    body(b);
    b.node('Mul', ['O', 'one'], [f('logits', 2)]);
    b.output('logits');
    const { g, problems } = deriveG(modelGraphFromProto(b.build(), 'case.onnx'), spec);
    return { problems, nodes: [...g.nodes.keys()] };
}

describe('the ops a rewrite through a map passes', () => {
    it('Sub from a constant, a Cast to float, Neg and a reshape by a Shape of Z are linear: parts a, b and bias', () => {
        const { problems, nodes } = problemsOf(b => {
            b.node('Sub', ['c2', 'Z'], [f('s', 2)]);
            b.node('Cast', ['s'], [f('c', 2)], { to: 1 });
            b.node('Neg', ['c'], [f('n', 2)]);
            b.node('Shape', ['Z'], [{ name: 'shape', dtype: 'int64', dims: [2] }]);
            b.node('Reshape', ['n', 'shape'], [f('O', 2)]);
        });
        expect(problems).toEqual([]);
        expect(nodes).toEqual(['input', 'Z.a', 'Z.b', 'O.a', 'O.b', 'O.bias', 'output']);
    });

    it.each([
        ['a product of two values computed from Z', (b: GraphBuilder) => b.node('Mul', ['Z', 'Z'], [f('O', 2)]), /the Mul node .* multiplies two values that depend on it/],
        ['a division by Z', (b: GraphBuilder) => b.node('Div', ['c2', 'Z'], [f('O', 2)]), /the Div node .* divides by a value that depends on it/],
        ['a cast to an integer type', (b: GraphBuilder) => b.node('Cast', ['Z'], [{ name: 'O', dtype: 'int64', dims: ['batch', 2] }], { to: 7 }), /the Cast node .* converts it to a type that is not a float/],
        ['an activation', (b: GraphBuilder) => b.node('Relu', ['Z'], [f('O', 2)]), /the Relu node .* is not linear/],
        ['a residual add of the input', (b: GraphBuilder) => b.node('Add', ['Z', 'x'], [f('O', 2)]), /"O" also reads the model input "x", not only "Z"/],
    ])('%s is rewrite-not-linear, and the hook is left out of G', (_, body, message) => {
        const { problems, nodes } = problemsOf(body);
        expect(problems).toEqual([expect.objectContaining({ code: 'rewrite-not-linear', hook: 'O', message: expect.stringMatching(message) })]);
        expect(nodes.filter(n => n.startsWith('O'))).toEqual([]);
    });
});
