// The check on dataset rows that a rewrite into a sum of parts is exact (DESIGN.md §2.1): the
// rewritten model computes both the hook's own tensor and the sum of its parts, and they must
// agree within REWRITE_TOLERANCE relative to the tensor's largest value. Through a map, the sum
// is O(0) + Σ_k [O(Z_k) − O(0)], so this is the additivity O(Σ Z_k) = Σ O(Z_k) − (K − 1) O(0) on
// real rows: a map that is not linear there (an op the structural check let through, a
// precision loss) fails it, and the scrub stops rather than report a number for another model.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { HypError } from '../errors.js';
import type { RewritePatch } from '../graph/rewrite.js';
import { withExtraOutputs } from '../graph/local-function.js';
import { writeModel } from '../onnx/read.js';
import type { ModelInputs } from '../execute/model-inputs.js';
import type { HookSpec } from '../spec.js';
import { createSession, type SessionOptions } from './session.js';

/** Largest |Σ parts − tensor| allowed, relative to max |tensor| on the rows checked. */
export const REWRITE_TOLERANCE = 1e-5;

/** Rows of the dataset the check runs on (the first ones). */
export const REWRITE_CHECK_ROWS = 16;

export interface RewriteMismatch {
    hook: string;
    /** max |Σ parts − tensor| / max |tensor| (Infinity when the tensor is zero on every row checked). */
    relative: number;
    /** max |Σ parts − tensor|, and max |tensor|. */
    absolute: number;
    scale: number;
    /** The dataset example where the largest difference is. */
    example: number;
}

/** The rewrites whose parts do not add up to their tensor on the dataset's first rows. */
export async function rewriteMismatches(model: ModelProto, patch: RewritePatch, inputs: ModelInputs, opts: SessionOptions): Promise<RewriteMismatch[]> {
    if (patch.hooks.size === 0) return [];
    const hooks = [...patch.hooks];
    const tensors = hooks.flatMap(([, h]) => [h.tensor, h.sum]);
    const { session } = await createSession(writeModel(withExtraOutputs(model, tensors)), opts);
    try {
        const count = Math.min(REWRITE_CHECK_ROWS, inputs.count);
        const examples = Int32Array.from({ length: count }, (_, i) => i);
        const feeds: Record<string, ort.Tensor> = {};
        for (const name of inputs.names) {
            const b = inputs.batch(name, examples);
            const size = b.dims.reduce((x, y) => x * y, 1);
            feeds[name] = new ort.Tensor(inputs.dtype(name) as ort.Tensor.Type,
                b.data.slice(b.offset, b.offset + count * size) as ort.Tensor.DataType, [count, ...b.dims]);
        }
        const out = await session.run(feeds, [...new Set(tensors)]);
        const mismatches: RewriteMismatch[] = [];
        for (const [hook, h] of hooks) {
            const whole = out[h.tensor].data as Float32Array, sum = out[h.sum].data as Float32Array;
            let scale = 0, worst = 0, at = 0;
            for (let i = 0; i < whole.length; i++) {
                scale = Math.max(scale, Math.abs(whole[i]));
                const d = Math.abs(whole[i] - sum[i]);
                // A NaN difference counts as the worst.
                if (!(d <= worst)) { worst = Number.isNaN(d) ? Infinity : d; at = i; }
            }
            const relative = worst === 0 ? 0 : worst / Math.max(scale, Number.MIN_VALUE);
            if (relative > REWRITE_TOLERANCE) mismatches.push({ hook, relative, absolute: worst, scale, example: Math.floor(at / (whole.length / count)) });
        }
        return mismatches;
    } finally {
        await session.release();
    }
}

/** The located error for a rewrite that is not exact. */
export function rewriteInexactError(m: RewriteMismatch, hook: HookSpec | undefined, modelPath: string, rowLine?: (example: number) => { file: string; line: number }): HypError {
    const row = rowLine?.(m.example);
    const size = m.scale > 0
        ? `by up to ${m.absolute.toPrecision(3)}, ${m.relative.toPrecision(3)} of its largest value ${m.scale.toPrecision(3)} (allowed 1e-5)`
        : `by up to ${m.absolute.toPrecision(3)} where the tensor is zero on every row checked`;
    return new HypError(
        `the parts of "${m.hook}" do not add up to "${hook?.tensor ?? m.hook}" on the dataset's rows: they differ ${size}`
            + (row !== undefined ? `, most at ${row.file}:${row.line}` : ''),
        'rewrite-inexact', hook?.source ?? { file: modelPath },
        hook?.rewrite?.kind === 'through'
            ? 'the map from its source is not linear on these rows, or the model loses precision computing it (a large constant added and taken away): rewrite a tensor the source reaches through linear ops alone'
            : 'the projections lose precision on these values');
}
