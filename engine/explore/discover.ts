// `hyp discover`: a greedy search for a smaller hypothesis (DESIGN.md §2.5), in the manner of ACDC
// but with causal scrubbing's semantics: removing the I-edge p → n makes c(p) one of c(n)'s
// unimportant parents, resampled from a random example (shared with its other unimportant parents
// unless the hypothesis says `unimportant separate`), instead of ACDC's patching of one edge with a
// corrupted activation. Nodes are visited output first, in reverse topological order; each of a
// node's I-parents is tried in turn (latest in the order first, input parts last), and the removal
// is kept when the candidate still passes the threshold (loss recovered, against the model) and,
// with a metric tolerance, when it behaves at most that much worse than the current circuit in the
// metric's units (ACDC's own criterion). A node nothing reads any more is dropped with the edge that
// left it unread, so its own edges are never tried.
//
// Every candidate is one scrub with the run's seed and roots: candidates are compared under common
// random numbers, and the engine's prepared state (sessions, clean cache, cuts, thread pool,
// feature classes) is shared by all of them.
import { HypError } from '../errors.js';
import type { PreparedScrub } from '../prepare.js';
import type { ScrubResult } from '../result.js';
import { scrubHypothesis, type ScrubOptions } from '../scrub.js';
import type { HypothesisSpec } from '../spec.js';
import { freeNames, withoutEdge } from './edit.js';
import { normalQuantile, pairedWorsening } from './paired.js';
import { sharingFeatureClasses } from './shared-classes.js';

/**
 * How a candidate passes: `ci`, its 95% CI's lower end is at or above the threshold (the circuit
 * found then recovers at least the threshold at 95% confidence, for its own scrub: the search
 * compares many candidates, so that is no family-wise guarantee); `point`, its point estimate is.
 */
export type DecisionRule = 'ci' | 'point';

export interface DiscoverOptions extends ScrubOptions {
    /**
     * Loss recovered a kept removal must leave (a fraction); null: not used. Default 0.9, or null
     * when a metric tolerance is given.
     */
    threshold?: number | null;
    /**
     * How much worse than the current circuit, in the metric's units, a kept removal may behave
     * (ACDC's τ). Under the `ci` rule the one-sided 95% upper bound of the paired change must be
     * at most this; under `point`, the change itself.
     */
    metricTolerance?: number | null;
    rule?: DecisionRule;
    /** Name of the hypothesis found. */
    name?: string;
    /** After each candidate scrub. */
    onTrial?: (trial: EdgeTrial, done: number) => void;
}

/** A number with its CI, as every figure the searches report. */
export interface Score {
    lossRecovered: number;
    ci95: [number, number];
}

/** One tried removal of the I-edge parent → child. */
export interface EdgeTrial {
    child: string;
    parent: string;
    /** The candidate without the edge. */
    score: Score;
    /** With a metric tolerance: how much worse the candidate behaves than the circuit before it (metric units, paired over roots). */
    worsening?: { worsening: number; se: number };
    removed: boolean;
    /** I nodes dropped with it because nothing read them any more (only when removed). */
    dropped: string[];
}

export interface DiscoverResult {
    start: HypothesisSpec;
    startScore: Score;
    found: HypothesisSpec;
    foundScore: Score;
    threshold: number | null;
    metricTolerance: number | null;
    rule: DecisionRule;
    samples: number;
    seed: number;
    trials: EdgeTrial[];
    /** Edges never tried because the child's feature reads the parent's value. */
    readByFeature: { child: string; parent: string }[];
    /** Scrubs run (the start and every candidate) and the search's wall-clock seconds. */
    scrubs: number;
    seconds: number;
}

export function score(r: ScrubResult): Score {
    return { lossRecovered: r.lossRecovered, ci95: r.ci95 };
}

/** Whether a candidate's score passes the threshold under the rule. */
export function passes(s: Score, threshold: number, rule: DecisionRule): boolean {
    return (rule === 'ci' ? s.ci95[0] : s.lossRecovered) >= threshold;
}

/** The one-sided 95% quantile that bounds a worsening under the `ci` rule. */
const Z95 = normalQuantile(0.95);

/** Whether a candidate's paired worsening is within the tolerance under the rule. */
export function withinTolerance(w: { worsening: number; se: number }, tolerance: number, rule: DecisionRule): boolean {
    return (rule === 'ci' ? w.worsening + Z95 * w.se : w.worsening) <= tolerance;
}

/** Number of I-edges of a hypothesis (the output's included). */
export function edgeCount(h: HypothesisSpec): number {
    return h.nodes.reduce((a, n) => a + n.parents.length, 0);
}

/** Runs the search from `start` on a prepared spec; the spec's sessions stay open (the caller disposes). */
export async function discover(prepared: PreparedScrub, start: HypothesisSpec, opts: DiscoverOptions = {}): Promise<DiscoverResult> {
    const started = performance.now();
    const metricTolerance = opts.metricTolerance ?? null;
    const threshold = opts.threshold !== undefined ? opts.threshold : metricTolerance === null ? 0.9 : null;
    if (threshold === null && metricTolerance === null) throw new HypError('discover needs a threshold, a metric tolerance or both', 'bad-option');
    if (metricTolerance !== null && !(metricTolerance >= 0)) throw new HypError(`the metric tolerance must be a number ≥ 0 (got ${metricTolerance})`, 'bad-option');
    const rule = opts.rule ?? 'ci';
    const shared = sharingFeatureClasses(prepared, start);
    let scrubs = 0;
    const run = async (h: HypothesisSpec): Promise<ScrubResult> => {
        if (opts.signal?.aborted) throw new HypError('the search was cancelled', 'cancelled');
        scrubs++;
        // The tolerance compares candidate and circuit root by root.
        return scrubHypothesis(shared, h, { ...opts, onProgress: undefined, perExample: metricTolerance !== null });
    };
    const first = await run(start);
    let currentResult = first;
    const order = new Map(start.nodes.map((n, i) => [n.name, i]));
    let current = start;
    const trials: EdgeTrial[] = [];
    const readByFeature: { child: string; parent: string }[] = [];
    for (const child of [...start.nodes].reverse()) {
        const node = current.nodes.find(n => n.name === child.name);
        if (node === undefined) continue;
        const read = node.feature === null ? new Set<string>() : freeNames(node.feature);
        // Latest parents first; input parts (not I nodes) after every node.
        const parents = [...node.parents].sort((a, b) => (order.get(b) ?? -1) - (order.get(a) ?? -1));
        for (const parent of parents) {
            if (read.has(parent)) {
                readByFeature.push({ child: node.name, parent });
                continue;
            }
            const candidate = withoutEdge(current, node.name, parent);
            const result = await run(candidate.hypothesis);
            const s = score(result);
            const worsening = metricTolerance === null ? undefined : pairedWorsening(perRoot(currentResult), perRoot(result), result.seed);
            const removed = (threshold === null || passes(s, threshold, rule))
                && (worsening === undefined || withinTolerance(worsening, metricTolerance!, rule));
            const trial: EdgeTrial = {
                child: node.name, parent, score: s, ...(worsening ? { worsening } : {}), removed,
                dropped: removed ? candidate.removed.map(n => n.name) : [],
            };
            trials.push(trial);
            if (removed) {
                current = candidate.hypothesis;
                currentResult = result;
            }
            opts.onTrial?.(trial, trials.length);
            // The child itself may have been dropped (its last reader went with an earlier edge).
            if (!current.nodes.some(n => n.name === node.name)) break;
        }
    }
    const found = { ...current, name: opts.name ?? `${start.name}_discovered` };
    const last = [...trials].reverse().find(t => t.removed);
    return {
        start, startScore: score(first), found, foundScore: last?.score ?? score(first), threshold, metricTolerance, rule,
        samples: first.samples, seed: first.seed, trials, readByFeature, scrubs, seconds: (performance.now() - started) / 1000,
    };
}

function perRoot(r: ScrubResult): NonNullable<ScrubResult['perExample']> {
    if (!r.perExample) throw new Error('discover: a metric tolerance needs per-root values');
    return r.perExample;
}
