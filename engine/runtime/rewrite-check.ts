// The checks on dataset rows that a rewrite into a sum of parts is what it claims (DESIGN.md
// §2.1): through a map, that the map alone is additive on pairs of rows (runtime/rewrite-linearity.ts);
// for every rewrite, that the rewritten model's sum of the parts agrees with the hook's own tensor
// (still computed) within REWRITE_TOLERANCE of its largest value. A rewrite that fails either is
// refused, so a scrub never reports a number for another model than the one in the file.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { HypError, isHypError } from '../errors.js';
import type { RewritePatch } from '../graph/rewrite.js';
import { withExtraOutputs } from '../graph/local-function.js';
import { writeModel } from '../onnx/read.js';
import type { ModelInputs } from '../execute/model-inputs.js';
import type { HookSpec } from '../spec.js';
import { linearityMismatch } from './rewrite-linearity.js';
import { createSession, type SessionOptions } from './session.js';

/** Largest |Σ parts − tensor| allowed, relative to max |tensor| on the rows checked. */
export const REWRITE_TOLERANCE = 1e-5;

/** Rows of the dataset the check runs on (the first ones). */
export const REWRITE_CHECK_ROWS = 16;

export interface RewriteMismatch {
    hook: string;
    /**
     * not-linear: the map alone is not additive on a pair of rows (runtime/rewrite-linearity.ts);
     * inexact: the parts do not add up to the tensor.
     */
    kind: 'not-linear' | 'inexact';
    /** max |Σ parts − tensor| / max |tensor| (Infinity when the tensor is zero on every row checked). */
    relative: number;
    /** max |Σ parts − tensor|, and max |tensor|. */
    absolute: number;
    scale: number;
    /** The dataset example where the largest difference is (the pair's first, for not-linear). */
    example: number;
    /** For not-linear: the pair of examples. */
    pair?: [number, number];
    /** For inexact: the tensor's value and the parts' sum where they differ most. */
    values?: [number, number];
    /** For inexact: the tensor's first value that is not finite (an infinity a mask put there), and its example. */
    nonFinite?: { value: number; example: number };
}

/**
 * The rewrites whose map is not linear on pairs of the dataset's first rows, or whose parts do not
 * add up to their tensor there; a hook's not-linear mismatch comes before its inexact one.
 */
export async function rewriteMismatches(model: ModelProto, patch: RewritePatch, inputs: ModelInputs, opts: SessionOptions): Promise<RewriteMismatch[]> {
    if (patch.hooks.size === 0) return [];
    const hooks = [...patch.hooks];
    const tensors = hooks.flatMap(([, h]) => [h.tensor, h.sum, ...(h.source !== undefined ? [h.source] : [])]);
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
            // A map that cannot be cut out alone (no case is known) leaves the check of the sum below.
            const nonLinear = h.source === undefined ? undefined
                : await linearityMismatch(model, h, out[h.source], inputs, opts).catch((e: unknown) => { if (isHypError(e)) return undefined; throw e; });
            if (nonLinear !== undefined) {
                mismatches.push({ hook, kind: 'not-linear', relative: nonLinear.relative, absolute: nonLinear.absolute, scale: 0, example: nonLinear.rows[0], pair: nonLinear.rows });
                continue;
            }
            const whole = out[h.tensor].data as Float32Array, sum = out[h.sum].data as Float32Array;
            let scale = 0, worst = 0, at = 0, nonFinite = -1;
            for (let i = 0; i < whole.length; i++) {
                if (nonFinite < 0 && !Number.isFinite(whole[i])) nonFinite = i;
                // The scale is the largest finite value: an infinity (a mask applied with -inf) would make every difference relative 0 or NaN.
                if (Number.isFinite(whole[i])) scale = Math.max(scale, Math.abs(whole[i]));
                const d = whole[i] === sum[i] ? 0 : Math.abs(whole[i] - sum[i]);
                // A NaN difference (the projection of an infinity) counts as the worst; the first one is reported.
                const counted = Number.isNaN(d) ? Infinity : d;
                if (counted > worst) { worst = counted; at = i; }
            }
            const relative = worst === 0 ? 0 : worst / Math.max(scale, Number.MIN_VALUE);
            if (relative > REWRITE_TOLERANCE) {
                const exampleOf = (i: number) => Math.floor(i / (whole.length / count));
                mismatches.push({ hook, kind: 'inexact', relative, absolute: worst, scale, example: exampleOf(at), values: [whole[at], sum[at]],
                    ...(nonFinite >= 0 && { nonFinite: { value: whole[nonFinite], example: exampleOf(nonFinite) } }) });
            }
        }
        return mismatches;
    } finally {
        await session.release();
    }
}

/** The located error for a rewrite that is not linear on the rows, or not exact. */
export function rewriteInexactError(m: RewriteMismatch, hook: HookSpec | undefined, modelPath: string, rowLine?: (example: number) => { file: string; line: number }): HypError {
    if (m.kind === 'not-linear') {
        const [a, b] = m.pair!.map(e => rowLine?.(e));
        const source = hook?.rewrite?.kind === 'through' ? hook.rewrite.source : 'its source';
        return new HypError(
            `"${m.hook}" is not linear in ${source} on the dataset's rows: O(a + b) differs from O(a) + O(b) − O(0) by up to ${m.absolute.toPrecision(3)}`
                + (Number.isFinite(m.relative) ? `, ${m.relative.toPrecision(3)} of its largest value (allowed 1e-5)` : '')
                + (a !== undefined && b !== undefined ? `, for the rows at ${a.file}:${a.line} and ${b.file}:${b.line}` : ''),
            'rewrite-not-linear', hook?.source ?? { file: modelPath },
            'rewrite a tensor its source reaches through linear ops alone');
    }
    const row = rowLine?.(m.example);
    if (m.nonFinite !== undefined) {
        const at = rowLine?.(m.nonFinite.example);
        return new HypError(
            `"${hook?.tensor ?? m.hook}" holds ${m.nonFinite.value}${at !== undefined ? ` (at ${at.file}:${at.line})` : ''}, and its parts do not add up to it: `
                + `where it is ${m.values![0]} they add up to ${m.values![1]}`,
            'rewrite-inexact', hook?.source ?? { file: modelPath },
            'a tensor holding infinities or NaN (a mask applied with -inf) is not a sum of parts: rewrite a tensor before the mask or after the softmax');
    }
    if (m.values !== undefined && !Number.isFinite(m.values[1])) {
        return new HypError(
            `the parts of "${m.hook}" do not add up to "${hook?.tensor ?? m.hook}" on the dataset's rows: where it is ${m.values[0]} they add up to ${m.values[1]}`
                + (row !== undefined ? `, at ${row.file}:${row.line}` : ''),
            'rewrite-inexact', hook?.source ?? { file: modelPath }, 'the parts overflow on these rows');
    }
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
