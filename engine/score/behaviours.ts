// The behaviours f of DESIGN.md §2.4, evaluated per root on one output activation. Everything is
// reported as a loss (lower is better) internally; scores are negated so that one normalisation
// formula serves both, and negated back for display.
import type { MetricSpec, PositionSelector } from '../spec.js';
import { HypError } from '../errors.js';

/** An output activation of one example: logits over classes, optionally per position. */
export interface OutputView {
    data: Float32Array;
    offset: number;
    /** Dims of one example's output (without the batch axis). */
    dims: readonly number[];
}

export interface BehaviourContext {
    /** The root's label (class or next token); undefined for label-free metrics. */
    label: number | undefined;
    /** The position to read, resolved for this root; undefined when the output has no position axis. */
    position: number | undefined;
    /** The clean model's output on the root (for kl). */
    clean: OutputView;
}

/** Whether the metric is a score (higher is better) rather than a loss. */
export function isScore(metric: MetricSpec): boolean {
    return metric.kind === 'accuracy' || metric.kind === 'logit_diff' || metric.kind === 'logit_diff_label';
}

export function needsLabel(metric: MetricSpec): boolean {
    return metric.kind === 'cross_entropy' || metric.kind === 'accuracy' || metric.kind === 'logit_diff_label';
}

/** The behaviour as a loss: lower is better (scores are negated). */
export function behaviourLoss(metric: MetricSpec, out: OutputView, ctx: BehaviourContext): number {
    const logits = selectLogits(out, ctx.position);
    switch (metric.kind) {
        case 'cross_entropy':
            return logSumExp(logits) - logits[checkedClass(ctx.label, logits.length)];
        case 'accuracy':
            return argmax(logits) === checkedClass(ctx.label, logits.length) ? -1 : 0;
        case 'logit_diff':
            return -(logits[checkedClass(metric.a, logits.length)] - logits[checkedClass(metric.b, logits.length)]);
        case 'logit_diff_label': {
            const y = checkedClass(ctx.label, logits.length);
            let other = -Infinity;
            for (let i = 0; i < logits.length; i++) if (i !== y && logits[i] > other) other = logits[i];
            return -(logits[y] - other);
        }
        case 'kl': {
            const p = selectLogits(ctx.clean, ctx.position);
            const lp = logSoftmax(p);
            const lq = logSoftmax(logits);
            let kl = 0;
            for (let i = 0; i < lp.length; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
            return Math.max(0, kl);
        }
    }
}

/** Resolves the metric's position selector for one root (negative indices count from the end). */
export function resolvePosition(selector: PositionSelector | undefined, dims: readonly number[], row: Record<string, unknown>): number | undefined {
    if (dims.length < 2) return undefined;
    const length = dims[dims.length - 2];
    let p: number;
    if (selector === undefined) p = length - 1;
    else if (selector.kind === 'index') p = selector.index;
    else {
        const v = row[selector.field];
        if (typeof v !== 'number' || !Number.isInteger(v)) {
            throw new HypError(`position field "${selector.field}" is not an integer`, 'metric-position');
        }
        p = v;
    }
    if (p < 0) p += length;
    if (p < 0 || p >= length) throw new HypError(`position ${p} is outside the output's ${length} positions`, 'metric-position');
    return p;
}

function selectLogits(out: OutputView, position: number | undefined): Float32Array {
    const classes = out.dims[out.dims.length - 1];
    const rows = out.dims.slice(0, -1).reduce((a, b) => a * b, 1);
    if (rows > 1 && position === undefined) throw new HypError('the output has a position axis: give the metric a position', 'metric-position');
    const start = out.offset + (rows > 1 ? position! * classes : 0);
    return out.data.subarray(start, start + classes);
}

function checkedClass(k: number | undefined, classes: number): number {
    if (k === undefined || !Number.isInteger(k) || k < 0 || k >= classes) {
        throw new HypError(`label or class ${k} is not an index into the model's ${classes} outputs`, 'metric-label');
    }
    return k;
}

function logSumExp(v: Float32Array): number {
    let m = -Infinity;
    for (const x of v) if (x > m) m = x;
    let s = 0;
    for (const x of v) s += Math.exp(x - m);
    return m + Math.log(s);
}

function logSoftmax(v: Float32Array): Float64Array {
    const lse = logSumExp(v);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] - lse;
    return out;
}

function argmax(v: Float32Array): number {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
}
