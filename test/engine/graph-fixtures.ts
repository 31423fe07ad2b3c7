// Small hand-built models shared by the graph, runtime and self-check tests.
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../engine/onnx/builder.js';

export const TOY_MODEL = join(import.meta.dirname, '../../examples/toy/toy_or.onnx');

/** Deterministic weights: small distinct values, some negative so Relu matters. */
export function weights(n: number, seed: number): Float32Array {
    return Float32Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed * 31 + i * 7) * 100) / 100);
}

/**
 * x [batch, 3] → h1 = relu(x W1) [batch, 4] → h2 = h1 + x W2 (a skip connection from the input)
 * → out = h2 W3 [batch, 2].
 */
export function residualModel(): ModelProto {
    const b = new GraphBuilder('residual');
    const f = (name: string, n: number) => ({ name, dtype: 'float32', dims: ['batch', n] });
    b.input('x', 'float32', ['batch', 3]);
    b.initializer('W1', weights(12, 1), [3, 4]);
    b.initializer('W2', weights(12, 2), [3, 4]);
    b.initializer('W3', weights(8, 3), [4, 2]);
    b.node('MatMul', ['x', 'W1'], [f('h1_pre', 4)]);
    b.node('Relu', ['h1_pre'], [f('h1', 4)]);
    b.node('MatMul', ['x', 'W2'], [f('skip', 4)]);
    b.node('Add', ['h1', 'skip'], [f('h2', 4)]);
    b.node('MatMul', ['h2', 'W3'], [f('out', 2)]);
    b.output('out');
    return b.build();
}
