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
/** Requests grow exponentially with depth when at least this many consecutive levels each multiply by GROWTH_FACTOR. */
const GROWTH_LEVELS = 3;
const GROWTH_FACTOR = 2;
/** Below this many requests per root a plan is cheap whatever its shape: no warning. */
const WARN_REQUESTS = 100;

export interface PlanSize {
    /** Roots the probe planned completely. */
    roots: number;
    /** Distinct computed requests per root (a lower bound when `capped`). */
    requestsPerRoot: number;
    /** Per root, the distinct computed requests at each depth from the output (the output's own request is depth 0). */
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
    // Depth of each computed request: its shortest distance from a root's scrubbed output.
    const { table } = plan;
    const depth = new Int32Array(table.size).fill(-1);
    let frontier = [...new Set(plan.scrubbed)].filter(id => table.get(id).kind === 'computed');
    for (const id of frontier) depth[id] = 0;
    const byDepth: number[] = [];
    for (let d = 0; frontier.length > 0; d++) {
        byDepth.push(frontier.length / probe);
        const next: number[] = [];
        for (const id of frontier) {
            const r = table.get(id);
            if (r.kind !== 'computed') continue;
            for (const a of r.inputs) {
                for (const s of a.sources) {
                    if (depth[s] >= 0 || table.get(s).kind !== 'computed') continue;
                    depth[s] = d + 1;
                    next.push(s);
                }
            }
        }
        frontier = next;
    }
    const requestsPerRoot = byDepth.reduce((a, b) => a + b, 0);
    return { roots: probe, requestsPerRoot, byDepth, capped: false, growth: exponentialGrowth(byDepth, requestsPerRoot) };
}

/** The mean factor per level of the longest run of levels that each grow by GROWTH_FACTOR, when it is long enough to call exponential. */
function exponentialGrowth(byDepth: readonly number[], total: number): number | undefined {
    if (total < WARN_REQUESTS) return undefined;
    let best: { from: number; to: number } | undefined;
    let from = 0;
    for (let d = 1; d <= byDepth.length; d++) {
        if (d < byDepth.length && byDepth[d] >= GROWTH_FACTOR * byDepth[d - 1]) continue;
        if (d - 1 - from >= GROWTH_LEVELS && (best === undefined || d - 1 - from > best.to - best.from)) best = { from, to: d - 1 };
        from = d;
    }
    if (best === undefined) return undefined;
    return (byDepth[best.to] / byDepth[best.from]) ** (1 / (best.to - best.from));
}

/** Whether the plan deserves a warning: it grows exponentially with depth, or the probe could not finish. */
export function isExponential(size: PlanSize): boolean {
    return size.capped || size.growth !== undefined;
}

/** `≈ 1,234 distinct requests per root (probe plan of 8 roots)`, with the growth when exponential. */
export function describePlanSize(size: PlanSize): string {
    const count = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
    if (size.capped && size.roots === 0) {
        return `more than ${count(size.requestsPerRoot)} distinct requests for one root (the probe plan stopped there): the plan grows exponentially with depth`;
    }
    const levels = size.byDepth.map(count).join(', ');
    const base = `${size.capped ? 'at least ' : '≈ '}${count(size.requestsPerRoot)} distinct requests per root (probe plan of ${size.roots} root${size.roots === 1 ? '' : 's'}; by depth from the output: ${levels})`;
    if (size.growth !== undefined) return `${base}: they grow ×${size.growth.toFixed(1)} per level of depth, exponentially`;
    return size.capped ? `${base}; the probe stopped at ${PLAN_PROBE_MAX_REQUESTS.toLocaleString('en-US')} requests` : base;
}
