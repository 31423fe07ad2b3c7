// `hyp challenge`: the write-up's adversary (DESIGN.md §2.5). A hypothesis claims that a node's
// value depends on the input only through its feature; if that were exactly true, resampling within
// any finer class (the feature conjoined with anything else) would give the same loss in
// expectation. A refinement that lowers loss recovered beyond the noise therefore shows the claim
// false: the hypothesis scored well because errors cancelled (draws that help some roots and hurt
// others), which a finer resampling separates. The refinements tried:
//   - a node's feature conjoined with a dataset field (fields unique for most rows are skipped:
//     they make the node its root's own computation, which tests nothing);
//   - a node's feature conjoined with another node's feature (one that reads dataset fields only).
// Not implied, and so never a flag: dropping a claimed edge (a stronger claim, whose drop measures
// what the edge carries). Those are scored and reported apart when the budget allows.
// A claimed node cannot be split further: every I node already maps to the finest G node the
// graph block declares (a split hook's whole tensor is not a G node), so that refinement needs a
// finer graph block, which changes every hypothesis of the file; it is not searched.
import { HypError } from '../errors.js';
import { checkExprType, fromFieldType } from '../features/index.js';
import type { PreparedScrub } from '../prepare.js';
import { scrubHypothesis, type ScrubOptions } from '../scrub.js';
import type { Expr, HypothesisSpec, InterpNodeSpec } from '../spec.js';
import { freeNames, outputNode, withFeature, withoutEdge } from './edit.js';
import { score, type Score } from './discover.js';
import { normalQuantile, pairedDrop } from './paired.js';
import { sharingFeatureClasses } from './shared-classes.js';

export interface ChallengeOptions extends ScrubOptions {
    /** Refinements scrubbed at most (default 60); implied refinements are scrubbed first. */
    budget?: number;
    /** After each refinement scrub. */
    onRefinement?: (r: Refinement, done: number, planned: number) => void;
}

export type RefinementKind = 'field' | 'node-feature' | 'drop-edge';

export interface Refinement {
    kind: RefinementKind;
    /** The I node changed. */
    node: string;
    /** What was conjoined (a field or an I node's name), or the parent whose edge was dropped. */
    with: string;
    /** What the change says, in words. */
    description: string;
    hypothesis: HypothesisSpec;
    score: Score;
    /** Loss recovered of the hypothesis minus the refinement's (positive: the refinement lowers it). */
    drop: number;
    /** The drop's standard error, paired over roots (same roots and seed: paired.ts). */
    dropSe: number;
}

export interface ChallengeResult {
    hypothesis: HypothesisSpec;
    score: Score;
    /** Implied refinements (finer features), largest drop first. */
    refinements: Refinement[];
    /** Dropped edges (stronger claims), largest drop first. */
    strongerClaims: Refinement[];
    /**
     * The implied refinement that shows the hypothesis false, if any (FLAG_RULE): the one with the
     * largest drop among those that drop it by more than its CI, significantly.
     */
    counter: Refinement | undefined;
    flagged: boolean;
    /** Candidates there were, and those the budget left unscrubbed. */
    candidates: number;
    unscrubbed: number;
    samples: number;
    seed: number;
    scrubs: number;
    seconds: number;
}

export const DEFAULT_BUDGET = 60;

/** The decision rule, in words, for outputs and docs. */
export const FLAG_RULE = 'flagged when an implied refinement lowers loss recovered by more than the half-width of the hypothesis\'s 95% CI '
    + 'and that drop is significant on the same roots (paired bootstrap standard error, one-sided at 5% with a Bonferroni correction over the refinements scrubbed)';

/** Whether a refinement's drop counts against the hypothesis, with m refinements scrubbed. */
export function counts(r: Pick<Refinement, 'drop' | 'dropSe'>, base: Score, m: number): boolean {
    const halfWidth = (base.ci95[1] - base.ci95[0]) / 2;
    const z = normalQuantile(1 - 0.05 / Math.max(1, m));
    return r.drop > halfWidth && r.drop > z * r.dropSe;
}

/** Fields whose value is unique for more than this share of the rows are not conjoined (they test nothing). */
const MAX_UNIQUE_SHARE = 0.5;

interface Candidate {
    kind: RefinementKind;
    node: string;
    with: string;
    description: string;
    hypothesis: HypothesisSpec;
}

/** The refinements of `h` the adversary tries, implied ones first (nodes output side first). */
export function refinementCandidates(prepared: PreparedScrub, h: HypothesisSpec): Candidate[] {
    const { dataset } = prepared;
    const fieldNames = new Set(dataset.fields.map(f => f.name));
    const fieldType = new Map(dataset.fields.map(f => [f.name, fromFieldType(f.type)]));
    const usable = dataset.fields.filter(f => uniqueShare(dataset.rows, f.name) <= MAX_UNIQUE_SHARE).map(f => f.name);
    const featured = h.nodes.filter((n): n is InterpNodeSpec & { feature: Expr } => n.feature !== null && n.graphNode !== 'output');
    // A feature that reads only fields can be conjoined into another node's (which cannot read I nodes it does not have as parents).
    const portable = featured.filter(n => [...freeNames(n.feature)].every(x => fieldNames.has(x)));
    // A node whose value another feature reads keeps its feature: a list would break that feature's type.
    const readByOthers = new Set(h.nodes.flatMap(n => (n.feature === null ? [] : [...freeNames(n.feature)])));
    const out: Candidate[] = [];
    // Two nodes with one feature (heads claimed alike) would give the same refinement twice.
    const seen = new Set<string>();
    const fresh = (node: string, feature: Expr) => {
        const key = `${node}\u0000${JSON.stringify(feature)}`;
        return !seen.has(key) && seen.add(key) !== undefined;
    };
    const targets = [...featured].reverse().filter(n => !readByOthers.has(n.name));
    for (const n of targets) {
        for (const field of usable) {
            if (isRef(n.feature, field)) continue;
            const feature = conjoin(n.feature, { kind: 'ref', name: field }, fieldType, fieldNames);
            if (!fresh(n.name, feature)) continue;
            out.push({
                kind: 'field', node: n.name, with: field, description: `${n.name}'s feature conjoined with the field ${field}`,
                hypothesis: withFeature(h, n.name, feature),
            });
        }
        for (const m of portable) {
            if (m.name === n.name || sameExpr(m.feature, n.feature)) continue;
            const feature = conjoin(n.feature, m.feature, fieldType, fieldNames);
            if (!fresh(n.name, feature)) continue;
            out.push({
                kind: 'node-feature', node: n.name, with: m.name, description: `${n.name}'s feature conjoined with ${m.name}'s feature`,
                hypothesis: withFeature(h, n.name, feature),
            });
        }
    }
    for (const n of [...h.nodes].reverse()) {
        const read = n.feature === null ? new Set<string>() : freeNames(n.feature);
        for (const p of n.parents) {
            if (read.has(p)) continue;
            out.push({
                kind: 'drop-edge', node: n.name, with: p, description: `${p} -> ${n.name} no longer claimed (${p} resampled as unimportant for ${n.name})`,
                hypothesis: withoutEdge(h, n.name, p).hypothesis,
            });
        }
    }
    return out;
}

/** Scrubs `h` and up to `budget` of its refinements on a prepared spec (left open for the caller). */
export async function challenge(prepared: PreparedScrub, h: HypothesisSpec, opts: ChallengeOptions = {}): Promise<ChallengeResult> {
    const started = performance.now();
    const budget = opts.budget ?? DEFAULT_BUDGET;
    const shared = sharingFeatureClasses(prepared, h);
    let scrubs = 0;
    const run = async (x: HypothesisSpec) => {
        if (opts.signal?.aborted) throw new HypError('the challenge was cancelled', 'cancelled');
        scrubs++;
        return scrubHypothesis(shared, x, { ...opts, onProgress: undefined, perExample: true });
    };
    const base = await run(h);
    const candidates = refinementCandidates(prepared, h);
    const chosen = candidates.slice(0, budget);
    const refinements: Refinement[] = [];
    const strongerClaims: Refinement[] = [];
    for (const [i, c] of chosen.entries()) {
        const result = await run(c.hypothesis);
        const paired = pairedDrop(base.perExample!, result.perExample!, base.seed);
        const r: Refinement = { ...c, score: score(result), drop: paired.drop, dropSe: paired.se };
        (c.kind === 'drop-edge' ? strongerClaims : refinements).push(r);
        opts.onRefinement?.(r, i + 1, chosen.length);
    }
    const byDrop = (a: Refinement, b: Refinement) => b.drop - a.drop;
    refinements.sort(byDrop);
    strongerClaims.sort(byDrop);
    const counter = refinements.find(r => counts(r, score(base), refinements.length));
    return {
        hypothesis: h, score: score(base), refinements, strongerClaims, counter, flagged: counter !== undefined,
        candidates: candidates.length, unscrubbed: candidates.length - chosen.length,
        samples: base.samples, seed: base.seed, scrubs, seconds: (performance.now() - started) / 1000,
    };
}

/**
 * `[f, g]`, or f's items with g appended when f is a list already; when the items would not have
 * one type (a `.hyp` list's elements must), each is written `str(…)`, whose equality is the value's.
 */
function conjoin(f: Expr, g: Expr, fieldType: ReadonlyMap<string, ReturnType<typeof fromFieldType>>, fields: ReadonlySet<string>): Expr {
    const items = f.kind === 'list' ? [...f.items, g] : [f, g];
    const list: Expr = { kind: 'list', items };
    let ok = [...freeNames(list)].every(x => fields.has(x));
    if (ok) checkExprType(list, { lookup: name => fieldType.get(name) }, () => { ok = false; });
    if (ok) return list;
    const str = (e: Expr): Expr => ({ kind: 'call', callee: 'str', args: [e] });
    return { kind: 'list', items: [str(f), str(g)] };
}

function isRef(e: Expr, name: string): boolean {
    return e.kind === 'ref' && e.name === name;
}

function sameExpr(a: Expr, b: Expr): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Share of rows whose value of the field no other row has. */
function uniqueShare(rows: readonly Record<string, unknown>[], field: string): number {
    const counts = new Map<string, number>();
    for (const r of rows) {
        const k = JSON.stringify(r[field]);
        counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let unique = 0;
    for (const c of counts.values()) if (c === 1) unique++;
    return rows.length === 0 ? 0 : unique / rows.length;
}

/** The output node's name (for texts that override it). */
export function outputName(h: HypothesisSpec): string {
    return outputNode(h).name;
}
