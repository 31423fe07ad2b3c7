// How large a scrub's plan is, before it runs: distinct computed requests per root from a probe plan
// of a few roots, counted by depth from the output, and whether they grow exponentially with depth
// (every level a multiple of the one above). Pure, like the planner: `hyp check`, the language
// server's hover, code lens and warning all use it without loading onnxruntime.
import { Prng, Stream, permutation } from '../util/prng.js';
import type { GraphG } from '../graph/types.js';
import { planScrub, PlanTooLarge, type PlanNode, type PlanOptions } from './planner.js';

/** Roots of the probe plan: few enough to plan while typing, enough to average the draws. */
export const PLAN_PROBE_ROOTS = 8;
/** The probe stops past this many requests: one root of an exponential plan can exceed any memory. */
export const PLAN_PROBE_MAX_REQUESTS = 200_000;
/** Requests grow exponentially with depth when over at least this many levels they multiply by GROWTH_FACTOR a level. */
const GROWTH_LEVELS = 3;
const GROWTH_FACTOR = 2;
/** Below this many requests per root a plan is cheap whatever its shape: no warning. */
const WARN_REQUESTS = 100;

export interface PlanSize {
    /** Roots the probe planned completely. */
    roots: number;
    /** Distinct computed requests per root (a lower bound when `capped`). */
    requestsPerRoot: number;
    /**
     * Per root, the distinct computed requests at each depth from the output: a request's depth is
     * its tensor's longest path to the output tensor in G (the output is depth 0).
     */
    byDepth: number[];
    /** The probe stopped at PLAN_PROBE_MAX_REQUESTS before it had planned PLAN_PROBE_ROOTS roots. */
    capped: boolean;
    /** When requests grow exponentially with depth: the mean factor per level over the levels that grow. */
    growth?: number;
}

export type PlanSizeOptions = Pick<PlanOptions, 'seed' | 'ablation' | 'unimportant' | 'datasetSize'> & {
    probeRoots?: number;
    maxRequests?: number;
};

/** Estimates the plan of a hypothesis (its plan nodes) from a probe plan on the run's first roots. */
export function estimatePlanSize(g: GraphG, nodes: readonly PlanNode[], opts: PlanSizeOptions): PlanSize {
    const n = opts.datasetSize;
    const probe = Math.max(1, Math.min(opts.probeRoots ?? PLAN_PROBE_ROOTS, n));
    const maxRequests = opts.maxRequests ?? PLAN_PROBE_MAX_REQUESTS;
    // The run's first roots, as the scrub draws them (scrub.ts, rootExample, first pass).
    const roots = permutation(n, new Prng(opts.seed, Stream.roots, 0)).slice(0, probe);
    const rootIds = Int32Array.from({ length: probe }, (_, i) => i);
    const planOpts = { seed: opts.seed, ablation: opts.ablation, unimportant: opts.unimportant, datasetSize: n, maxRequests };
    let plan;
    try {
        plan = planScrub(g, nodes, roots, rootIds, planOpts);
    } catch (e) {
        if (!(e instanceof PlanTooLarge)) throw e;
        // Whatever planned completely says how the requests grow; when not even one root did,
        // only that it is over the cap.
        if (e.rootsPlanned === 0) return { roots: 0, requestsPerRoot: e.requests, byDepth: [], capped: true };
        const partial = estimatePlanSize(g, nodes, { ...opts, probeRoots: e.rootsPlanned, maxRequests: Infinity });
        return { ...partial, capped: true };
    }
    // A request's depth is its tensor's: the longest path from it to the output in G's tensors, so
    // that every request of a tensor counts at one level whichever paths lead to it.
    const level = tensorLevels(g);
    const byDepth: number[] = [];
    let requests = 0;
    for (const r of plan.table.requests) {
        if (r.kind !== 'computed') continue;
        const d = level(r.tensor);
        while (byDepth.length <= d) byDepth.push(0);
        byDepth[d] += 1 / probe;
        requests++;
    }
    const requestsPerRoot = requests / probe;
    return { roots: probe, requestsPerRoot, byDepth, capped: false, growth: exponentialGrowth(byDepth, requestsPerRoot) };
}

/** Each computed tensor's longest distance (in tensor-level G edges) to the output tensor. */
function tensorLevels(g: GraphG): (tensor: string) => number {
    const consumers = new Map<string, string[]>();
    for (const t of g.computedTensors) {
        for (const p of g.tensorParents(t)) {
            let list = consumers.get(p);
            if (list === undefined) consumers.set(p, list = []);
            list.push(t);
        }
    }
    const memo = new Map<string, number>();
    const level = (t: string): number => {
        let d = memo.get(t);
        if (d === undefined) {
            d = 0;
            for (const c of consumers.get(t) ?? []) d = Math.max(d, level(c) + 1);
            memo.set(t, d);
        }
        return d;
    };
    return level;
}

/**
 * When requests grow exponentially with depth: the mean factor per level over the longest span of
 * at least GROWTH_LEVELS levels whose requests grow by at least GROWTH_FACTOR a level on average
 * (a model's hooks alternate: a layer's heads, then its residual parts, each multiplying by its own
 * factor). Undefined for a plan too small to matter.
 */
function exponentialGrowth(byDepth: readonly number[], total: number): number | undefined {
    if (total < WARN_REQUESTS) return undefined;
    let best: { span: number; growth: number } | undefined;
    for (let i = 0; i < byDepth.length; i++) {
        if (byDepth[i] <= 0) continue;
        for (let j = i + GROWTH_LEVELS; j < byDepth.length; j++) {
            const growth = (byDepth[j] / byDepth[i]) ** (1 / (j - i));
            if (growth < GROWTH_FACTOR) continue;
            const span = j - i;
            if (best === undefined || span > best.span || (span === best.span && growth > best.growth)) best = { span, growth };
        }
    }
    return best?.growth;
}

/** Whether the plan deserves a warning: it grows exponentially with depth, or the probe could not finish. */
export function isExponential(size: PlanSize): boolean {
    return size.capped || size.growth !== undefined;
}

/** `≈ 1,234 distinct requests per root (probe plan of 8 roots)`, with the growth when exponential. */
export function describePlanSize(size: PlanSize): string {
    const count = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : Number.isInteger(x) ? String(x) : x.toFixed(1));
    if (size.capped && size.roots === 0) {
        return `more than ${count(size.requestsPerRoot)} distinct requests for one root (the probe plan stopped there): the plan grows exponentially with depth`;
    }
    if (size.requestsPerRoot === 0) return `no computed requests (every activation is a clean one: a forward pass per example; probe plan of ${size.roots} roots)`;
    const levels = size.byDepth.map(count).join(', ');
    const base = `${size.capped ? 'at least ' : '≈ '}${count(size.requestsPerRoot)} distinct request${size.requestsPerRoot === 1 ? '' : 's'} per root (probe plan of ${size.roots} root${size.roots === 1 ? '' : 's'}; by depth from the output: ${levels})`;
    if (size.growth !== undefined) return `${base}: they grow ×${size.growth.toFixed(1)} per level of depth, exponentially`;
    return size.capped ? `${base}; the probe stopped at ${PLAN_PROBE_MAX_REQUESTS.toLocaleString('en-US')} requests` : base;
}
