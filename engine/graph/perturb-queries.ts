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
import type { Coverage, GraphG, ModelGraph } from './types.js';

/** Dataset rows and perturbations per row of each parent part; parent parts perturbed at most per file. */
export const PERTURB_ROWS = 8;
export const PERTURBATIONS = 4;
export const MAX_PERTURBED_PARTS = 48;
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
 * the parent parts to perturb; none when G was derived on rewritten hooks (their parts are not
 * tensors of the model file) or the tensors are not the model's. At most MAX_PERTURBED_PARTS parent
 * parts in all, children in G's order: later ones are not tested; nor are children whose parents
 * do not fit two rows in MAX_RUN_ELEMENTS, nor those beyond MAX_WORK.
 */
export function perturbQueries(g: GraphG, model: ModelGraph, bounds: PerturbBounds = PERTURB_BOUNDS): PerturbQuery[] {
    return perturbPlan(g, model, bounds).queries;
}

/** perturbQueries, with the children a bound kept untested and why (so that a claim on one can say it was not tested). */
export function perturbPlan(g: GraphG, model: ModelGraph, bounds: PerturbBounds = PERTURB_BOUNDS): { queries: PerturbQuery[]; skipped: SkippedChild[] } {
    const queries: PerturbQuery[] = [];
    const skipped: SkippedChild[] = [];
    let budget = bounds.parts, work = bounds.work;
    for (const tensor of g.computedTensors) {
        const children = g.nodesOfTensor(tensor).filter(n => g.partsInexact?.(n) === true);
        if (children.length === 0) continue;
        const parents = [...g.tensorParents(tensor)];
        if (![tensor, ...parents].every(t => model.tensors.has(t))) continue;
        const edges: [string, string][] = children.flatMap(c => g.partParents(c).map(p => [c, p] as [string, string]));
        const skip = (reason: string) => skipped.push({ tensor, edges, reason });
        // Too large to test on two rows (a shape unknown counts as too large): asked nothing, so the model never runs for it.
        const perExample = parents.map(p => model.tensors.get(p)!.shape?.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : Infinity), 1) ?? Infinity);
        const inputs = perExample.reduce((a, b) => a + b, 0);
        if (2 * PERTURBATIONS * inputs > bounds.runElements) {
            skip(inputs === Infinity ? `a parent of ${tensor} has a shape not known, so its run size is not bounded`
                : `${tensor}'s parents hold ${inputs.toLocaleString('en-US')} elements an example: two rows × ${PERTURBATIONS} perturbations exceed the run bound of ${bounds.runElements.toLocaleString('en-US')} parent elements`);
            continue;
        }
        const rows = Math.min(PERTURB_ROWS, Math.floor(bounds.runElements / (PERTURBATIONS * inputs)));
        const parentNodes = [...new Set(edges.map(([, p]) => p))].map(node => ({
            node, tensors: (g.nodes.get(node)?.tensors ?? []).filter(t => parents.includes(t.tensor)),
        })).filter(p => p.tensors.length > 0);
        if (parentNodes.length === 0) continue;
        if (parentNodes.length > budget) {
            skip(`${tensor} has ${parentNodes.length} parent parts to perturb and ${budget} of the ${bounds.parts} a file were left (tensors before it in G used them)`);
            continue;
        }
        const local = localElements(model, tensor, parents);
        const cost = local * rows * PERTURBATIONS * (parentNodes.length + 1);
        if (cost > work) {
            skip(local === Infinity ? `${tensor}'s local function has a shape not known, so its work is not bounded`
                : `testing ${tensor} computes ${cost.toLocaleString('en-US')} elements (${local.toLocaleString('en-US')} an example × ${rows} rows × ${PERTURBATIONS} perturbations × ${parentNodes.length + 1} runs), over the ${work.toLocaleString('en-US')} left of the work bound of ${bounds.work.toLocaleString('en-US')} a file`);
            continue;
        }
        work -= cost;
        budget -= parentNodes.length;
        queries.push({
            tensor, parents,
            children: g.nodesOfTensor(tensor).map(node => ({ node, coverage: g.nodes.get(node)!.tensors.find(t => t.tensor === tensor)!.coverage })),
            parentNodes, edges,
        });
    }
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
