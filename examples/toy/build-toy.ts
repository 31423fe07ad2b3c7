// Builds the running example of the causal scrubbing write-up: y = (z1 > 3) or (z2 > 3), as an
// ONNX model with hook points A, B, C, D and a dataset of integer triples. Deterministic: the same
// bytes on every run (fixed seed, no timestamps), so the committed files can be checked against it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { makeRng } from '../paren/lib/rng.js';

/** logits = ±LOGIT_SCALE·(D − 0.5): a margin of LOGIT_SCALE, p(correct) = σ(4) ≈ 0.982, a finite clean loss. */
export const LOGIT_SCALE = 4;
export const TOY_ROWS = 4000;
export const TOY_SEED = 20221203;
/** Each z_i is an integer in 0..Z_MAX (as a float): P(z_i > 3) = 3/7. */
export const Z_MAX = 6;

/** The toy model: x [batch, 3] → A, B (thresholds), C (unused), D = A or B → logits [batch, 2]. */
export function buildToyModel(): ModelProto {
    const b = new GraphBuilder('toy_or');
    const f = (name: string, dims: (number | string)[] = ['batch', 1]) => ({ name, dtype: 'float32', dims });
    const scalar = (name: string, v: number) => b.initializer(name, Float32Array.of(v), []);
    b.input('x', 'float32', ['batch', 3]);
    const z = [1, 2, 3].map(i => {
        b.initializer(`index_${i - 1}`, BigInt64Array.of(BigInt(i - 1)), [1]);
        return b.node('Gather', ['x', `index_${i - 1}`], [f(`z${i}`)], { axis: 1 });
    });
    scalar('three', 3);
    // Greater gives a bool; Cast (to = 1, FLOAT) makes A and B the floats 0 and 1.
    for (const [name, zi] of [['A', z[0]], ['B', z[1]]] as const) {
        b.node('Greater', [zi, 'three'], [{ name: `${name}_gt`, dtype: 'bool', dims: ['batch', 1] }]);
        b.node('Cast', [`${name}_gt`], [f(name)], { to: 1 });
    }
    scalar('two', 2);
    b.node('Mul', [z[2], 'two'], [f('C')]);
    b.node('Max', ['A', 'B'], [f('A_or_B')]);
    // C reaches D through a multiplication by zero: C is a true G-parent of D whose value cannot
    // matter, which makes the resampling of unimportant parents visible (see README.md).
    scalar('zero', 0);
    b.node('Mul', ['C', 'zero'], [f('C_times_zero')]);
    b.node('Add', ['A_or_B', 'C_times_zero'], [f('D')]);
    scalar('half', 0.5);
    scalar('scale', LOGIT_SCALE);
    b.node('Sub', ['D', 'half'], [f('D_centered')]);
    b.node('Mul', ['D_centered', 'scale'], [f('logit_true')]);
    b.node('Neg', ['logit_true'], [f('logit_false')]);
    b.node('Concat', ['logit_false', 'logit_true'], [f('logits', ['batch', 2])], { axis: 1 });
    b.output('logits');
    return b.build();
}

/** The dataset as JSONL text: TOY_ROWS rows `{"z": [z1, z2, z3], "y": label}`. */
export function buildToyDataset(): string {
    const random = makeRng(TOY_SEED);
    const lines: string[] = [];
    for (let r = 0; r < TOY_ROWS; r++) {
        const z = [0, 1, 2].map(() => Math.floor(random() * (Z_MAX + 1)));
        lines.push(JSON.stringify({ z, y: z[0] > 3 || z[1] > 3 ? 1 : 0 }));
    }
    return lines.join('\n') + '\n';
}

/** Writes toy_or.onnx and toy_or.jsonl into `dir`; returns their paths. */
export function writeToy(dir: string): { model: string; dataset: string } {
    const model = join(dir, 'toy_or.onnx');
    const dataset = join(dir, 'toy_or.jsonl');
    writeFileSync(model, writeModel(buildToyModel()));
    writeFileSync(dataset, buildToyDataset());
    return { model, dataset };
}
