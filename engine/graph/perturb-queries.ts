// The numeric pass over part-level edges (DESIGN.md §2.1; docs/design.md "Part-level edges"):
// where the structural walk (graph/part-deps.ts) over-approximated, each parent part is perturbed
// on dataset rows through the child's local function and the child's parts are watched
// (runtime/perturb-parts.ts runs it; onnxruntime). This file is the pure part: which edges to
// test, the request, and the evidence it answers with, plain data that crosses to a worker.
//
// Sampling can show a dependency, never prove its absence (a ReLU dead on the rows sampled): an
// edge that never moved is reported as a warning and ranked last in completion; G, the error
// `edge-not-in-graph` and the planner keep the structural edges.
import type { ProbeFeed } from './probe.js';
import type { RewritePatch } from './rewrite.js';
import type { Coverage, GraphG, ModelGraph } from './types.js';

/** Dataset rows and perturbations per row of each parent part; parent parts perturbed at most per file. */
export const PERTURB_ROWS = 8;
export const PERTURBATIONS = 4;
export const MAX_PERTURBED_PARTS = 128;
/**
 * Parent elements fed to one perturbed run at most (rows × perturbations × one example of every
 * parent): large parents get fewer rows, and a child whose parents do not fit two rows is not tested.
 */
export const MAX_RUN_ELEMENTS = 1 << 22;
/**
 * The pass's work at most, in tensor elements computed: Σ over tested children of the elements
 * one example of its local function computes × rows × perturbations × (parent parts + 1). About
 * a second or two of one core; a child that would exceed what is left is not tested (a child
 * recomputing ten GPT-2 layers from the tokens is not).
 */
export const MAX_WORK = 1 << 28;

/** The pass's bounds (the constants above; a test may lower them to see what exceeding one does). */
export interface PerturbBounds {
    /** Parent parts perturbed at most per file. */
    parts: number;
    /** Parent elements fed to one perturbed run at most. */
    runElements: number;
    /** Elements the pass computes at most per file. */
    work: number;
}

export const PERTURB_BOUNDS: PerturbBounds = { parts: MAX_PERTURBED_PARTS, runElements: MAX_RUN_ELEMENTS, work: MAX_WORK };

/**
 * The bounds of `hyp check --numeric-budget factor`: the parts and work bounds `factor` times the
 * defaults. A run's size stays (it bounds the memory of one onnxruntime run, not the time).
 */
export function budgetBounds(factor: number): PerturbBounds {
    return { parts: Math.max(1, Math.floor(MAX_PERTURBED_PARTS * factor)), runElements: MAX_RUN_ELEMENTS, work: Math.floor(MAX_WORK * factor) };
}

/** A child the pass would test (its structural edges over-approximate) but a bound keeps untested: no evidence either way. */
export interface SkippedChild {
    tensor: string;
    /** The structural edges it would have tested: [child node, parent node]. */
    edges: [string, string][];
    /** Which bound, and what exceeded it, in words. */
    reason: string;
}

/** One child tensor: its local function's inputs, its G nodes, and the parent G nodes to perturb. */
export interface PerturbQuery {
    tensor: string;
    parents: string[];
    children: { node: string; coverage: Coverage }[];
    parentNodes: { node: string; tensors: { tensor: string; coverage: Coverage }[] }[];
    /** The structural edges under test: [child node, parent node]. */
    edges: [string, string][];
}

export interface PerturbRequest {
    queries: PerturbQuery[];
    /** The model's inputs on the first PERTURB_ROWS dataset rows (fewer when the dataset has fewer). */
    feeds: ProbeFeed[];
    /**
     * The rewrites of hooks into sums of parts G was derived with (graph/rewrite.ts), made in the
     * model before it runs: the queries' tensors are then the rewritten model's (a part is one).
     */
    rewrites?: RewritePatch;
}

/** What the perturbations of one parent part did to one child part. */
export interface EdgeEvidence {
    /** (row, perturbation) trials in which some element of the child part moved. */
    moved: number;
    /** Trials run: 0 when the parent part could not be perturbed (a type without a rule, one value seen). */
    trials: number;
}

export interface PartEvidence {
    rows: number;
    perturbations: number;
    /** By `edgeKey(child, parent)`; an edge not here was not tested (no evidence either way). */
    edges: Record<string, EdgeEvidence>;
    /**
     * Children left untested while the pass ran, and why: `failed` where onnxruntime refused the
     * local function, `skipped` where fewer than two rows fit the run bound.
     */
    untested?: { tensor: string; kind: 'failed' | 'skipped'; reason: string }[];
}

export function edgeKey(child: string, parent: string): string {
    return `${parent} -> ${child}`;
}

/** An edge the numeric pass tested that never moved its child: some trials, none moved. */
export function inertEdge(evidence: PartEvidence | undefined, child: string, parent: string): EdgeEvidence | undefined {
    const e = evidence?.edges[edgeKey(child, parent)];
    return e !== undefined && e.trials > 0 && e.moved === 0 ? e : undefined;
}

/**
 * The child tensors whose part-level parents a rule over-approximated (g.partsInexact), each with
 * the parent parts to perturb; none for tensors that are not `model`'s (the model G was derived
 * on: with hooks rewritten into sums of parts, the rewritten one). At most `bounds.parts` parent
 * parts and `bounds.work` elements in all; children whose parents do not fit two rows in
 * `bounds.runElements` are not tested.
 */
export function perturbQueries(g: GraphG, model: ModelGraph, bounds: PerturbBounds = PERTURB_BOUNDS, claimed?: ReadonlySet<string>): PerturbQuery[] {
    return perturbPlan(g, model, bounds, claimed).queries;
}

/** A child tensor the pass could test, before the bounds shared by the file are spent on it. */
interface Candidate {
    tensor: string;
    parents: string[];
    edges: [string, string][];
    parentNodes: PerturbQuery['parentNodes'];
    /** The parent parts some claimed edge into this child comes from. */
    claimedParents: Set<string>;
    rows: number;
    /** Elements one example of its local function computes (Infinity: a shape unknown). */
    local: number;
    /** The parent parts chosen so far. */
    chosen: Set<string>;
}

/**
 * perturbQueries, with the children a bound kept untested and why (so that a claim on one can say
 * it was not tested). `claimed` (edgeKey(child, parent) over G nodes: the edges a file's
 * hypotheses claim) decides what the shared bounds are spent on first: the claimed parent parts of
 * every child, in G's order; then the rest of every child's parent parts, in G's order. The
 * queries come out in G's order whatever was chosen first, so that when everything fits the plan
 * (and the cached pass keyed by it) does not change with the claims.
 */
export function perturbPlan(g: GraphG, model: ModelGraph, bounds: PerturbBounds = PERTURB_BOUNDS, claimed: ReadonlySet<string> = new Set()): { queries: PerturbQuery[]; skipped: SkippedChild[] } {
    const candidates: Candidate[] = [];
    const skipped: SkippedChild[] = [];
    for (const tensor of g.computedTensors) {
        const children = g.nodesOfTensor(tensor).filter(n => g.partsInexact?.(n) === true);
        if (children.length === 0) continue;
        const parents = [...g.tensorParents(tensor)];
        if (![tensor, ...parents].every(t => model.tensors.has(t))) continue;
        const edges: [string, string][] = children.flatMap(c => g.partParents(c).map(p => [c, p] as [string, string]));
        // Too large to test on two rows (a shape unknown counts as too large): asked nothing, so the model never runs for it.
        const perExample = parents.map(p => model.tensors.get(p)!.shape?.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : Infinity), 1) ?? Infinity);
        const inputs = perExample.reduce((a, b) => a + b, 0);
        if (2 * PERTURBATIONS * inputs > bounds.runElements) {
            skipped.push({ tensor, edges, reason: inputs === Infinity ? `a parent of ${tensor} has a shape not known, so its run size is not bounded`
                : `${tensor}'s parents hold ${inputs.toLocaleString('en-US')} elements an example: two rows × ${PERTURBATIONS} perturbations exceed the run bound of ${bounds.runElements.toLocaleString('en-US')} parent elements` });
            continue;
        }
        const parentNodes = [...new Set(edges.map(([, p]) => p))].map(node => ({
            node, tensors: (g.nodes.get(node)?.tensors ?? []).filter(t => parents.includes(t.tensor)),
        })).filter(p => p.tensors.length > 0);
        if (parentNodes.length === 0) continue;
        const claimedParents = new Set(edges.filter(([c, p]) => claimed.has(edgeKey(c, p))).map(([, p]) => p).filter(p => parentNodes.some(n => n.node === p)));
        candidates.push({
            tensor, parents, edges, parentNodes, claimedParents,
            rows: Math.min(PERTURB_ROWS, Math.floor(bounds.runElements / (PERTURBATIONS * inputs))),
            local: localElements(model, tensor, parents),
            chosen: new Set(),
        });
    }
    const left = { parts: bounds.parts, work: bounds.work };
    /** Why `more` parent parts of `c` do not fit what is left, or undefined when they do (and are then taken). */
    const take = (c: Candidate, more: readonly string[], whose: string): string | undefined => {
        const runs = more.length + (c.chosen.size === 0 ? 1 : 0);
        const cost = c.local * c.rows * PERTURBATIONS * runs;
        if (more.length > left.parts) {
            const used = left.parts === bounds.parts ? '' : whose === 'claimed ' ? ' (the claimed parent parts of children before it in G used them)' : ' (claimed parent parts, then children before it in G, used them)';
            return `${c.tensor} has ${more.length} ${whose}parent part${more.length === 1 ? '' : 's'} to perturb and ${left.parts} of the ${bounds.parts} a file were left${used}`;
        }
        if (cost > left.work) {
            return c.local === Infinity ? `${c.tensor}'s local function has a shape not known, so its work is not bounded`
                : `testing ${c.tensor}'s ${more.length} ${whose}parent part${more.length === 1 ? '' : 's'} computes ${cost.toLocaleString('en-US')} elements (${c.local.toLocaleString('en-US')} an example × ${c.rows} rows × ${PERTURBATIONS} perturbations × ${runs} runs), over the ${left.work.toLocaleString('en-US')} left of the work bound of ${bounds.work.toLocaleString('en-US')} a file`;
        }
        left.parts -= more.length;
        left.work -= cost;
        for (const p of more) c.chosen.add(p);
        return undefined;
    };
    const untested = (c: Candidate, reason: string) => {
        const edges = c.edges.filter(([, p]) => !c.chosen.has(p));
        if (edges.length > 0) skipped.push({ tensor: c.tensor, edges, reason });
    };
    // First what the file claims: each child's claimed parent parts.
    const reasons = new Map<Candidate, string>();
    for (const c of candidates.filter(c => c.claimedParents.size > 0)) {
        const reason = take(c, c.parentNodes.map(p => p.node).filter(p => c.claimedParents.has(p)), 'claimed ');
        if (reason !== undefined) reasons.set(c, reason);
    }
    // Then the rest, in G's order: a claimed child whose claimed parts did not fit gets no more.
    for (const c of candidates) {
        const reason = reasons.get(c) ?? take(c, c.parentNodes.map(p => p.node).filter(p => !c.chosen.has(p)), c.chosen.size > 0 ? 'other ' : '');
        if (reason !== undefined) untested(c, reason);
    }
    const queries = candidates.filter(c => c.chosen.size > 0).map(c => ({
        tensor: c.tensor, parents: c.parents,
        children: g.nodesOfTensor(c.tensor).map(node => ({ node, coverage: g.nodes.get(node)!.tensors.find(t => t.tensor === c.tensor)!.coverage })),
        parentNodes: c.parentNodes.filter(p => c.chosen.has(p.node)),
        edges: c.edges.filter(([, p]) => c.chosen.has(p)),
    }));
    return { queries, skipped };
}

/** The elements one example of a local function computes (its per-example tensors); Infinity when a shape is unknown. */
function localElements(model: ModelGraph, tensor: string, parents: readonly string[]): number {
    const stop = new Set(parents);
    const seen = new Set<string>();
    const stack = [tensor];
    let total = 0;
    while (stack.length > 0) {
        const t = stack.pop()!;
        if (seen.has(t) || stop.has(t)) continue;
        seen.add(t);
        const info = model.tensors.get(t);
        if (info === undefined || info.producer === null) continue;
        if (info.perExample !== false) {
            const dims = info.shape?.slice(1);
            if (dims === undefined || dims.some(d => typeof d !== 'number')) return Infinity;
            total += (dims as number[]).reduce((a, b) => a * b, 1);
        }
        stack.push(...info.producer.inputs);
    }
    return total;
}
