// Clean cuts of a local function. A local function recomputes everything between its G-parents
// and its tensor; the part of that sub-graph that reads one parent p alone (the embeddings and
// layer 0 above a layer-2 hook, say) is, whenever p is fed one example's clean activation, that
// example's clean computation. Feeding the tensors where that part ends (its frontier) straight
// from the clean pass gives the same values without recomputing it: the cut. On the paren model
// this skips about half of every local function's work.
import type { ModelProto, NodeProto } from 'onnx-buf';
import { nodeInputs } from '../onnx/node-inputs.js';
import { localFunctionNodes } from './local-nodes.js';
import type { SumCut } from './sum-cut.js';

/** What replaces one parent of a local function when that parent is one example's clean activation. */
export interface CleanCut {
    /** Index of the parent in the local function's parent list. */
    parent: number;
    /** The tensors fed instead (each reads that parent alone), in the model file's order. */
    frontier: string[];
}

/**
 * The cut of each parent of the local function of `tensor` from `parents` that has one: the
 * tensors that read parent p and no other parent, and that feed a node reading another parent.
 * A parent whose frontier is itself (a node mixes it in at once) has no cut. `usable(t)` says
 * whether a tensor can be fed per example (its first axis is the batch); a frontier tensor that
 * is not gets replaced by the tensors its producer reads from p's side, up to p itself (which
 * is never asked about).
 */
export function cleanCuts(model: ModelProto, tensor: string, parents: readonly string[], usable: (t: string) => boolean): CleanCut[] {
    const graph = model.graph!;
    const producer = new Map<string, NodeProto>();
    for (const n of graph.node) for (const o of n.output) if (o !== '') producer.set(o, n);

    // The local function's nodes, and for each tensor the parents it reads (initializers and
    // constants read none). File order is topological.
    const inSubgraph = localFunctionNodes(model, tensor, parents);
    const reads = new Map<string, ReadonlySet<number>>(parents.map((p, i) => [p, new Set([i])]));
    const none: ReadonlySet<number> = new Set();
    const readsOf = (t: string) => reads.get(t) ?? none;
    const nodes = graph.node.filter(n => inSubgraph.has(n));
    for (const n of nodes) {
        const union = new Set<number>();
        for (const i of nodeInputs(n)) for (const k of readsOf(i)) union.add(k);
        for (const o of n.output) if (o !== '') reads.set(o, union);
    }
    if (readsOf(tensor).size <= 1) return [];

    const order = new Map<string, number>(parents.map(p => [p, -1]));
    graph.node.forEach((n, i) => { for (const o of n.output) order.set(o, i); });
    const only = (t: string, k: number) => { const r = readsOf(t); return r.size === 1 && r.has(k); };
    const cuts: CleanCut[] = [];
    parents.forEach((p, k) => {
        const frontier = new Set<string>();
        for (const n of nodes) {
            if (n.output.every(o => only(o, k))) continue;
            for (const i of nodeInputs(n)) if (only(i, k)) frontier.add(i);
        }
        // Push unusable tensors back towards p; p itself is always usable (it is fed today).
        for (let changed = true; changed;) {
            changed = false;
            for (const t of [...frontier]) {
                if (t === p || usable(t)) continue;
                frontier.delete(t);
                for (const i of nodeInputs(producer.get(t)!)) if (only(i, k)) frontier.add(i);
                changed = true;
            }
        }
        // p itself may stay in the frontier (a residual stream read both directly and through a
        // layer): the cut still skips the layer. Only p alone saves nothing.
        if (frontier.size === 0 || (frontier.size === 1 && frontier.has(p))) return;
        cuts.push({ parent: k, frontier: [...frontier].sort((a, b) => order.get(a)! - order.get(b)!) });
    });
    return cuts;
}

/**
 * The parent list of a local function with the clean cuts whose bit is set in `mask` (bit i:
 * `cuts[i]`) and the sum cuts whose bit is set in `sumMask` applied.
 */
export function cutParents(parents: readonly string[], cuts: readonly CleanCut[], mask: number,
    sumCuts: readonly SumCut[] = [], sumMask = 0): string[] {
    const byParent = new Map<number, readonly string[]>();
    cuts.forEach((c, i) => { if (mask & (1 << i)) byParent.set(c.parent, c.frontier); });
    sumCuts.forEach((c, i) => { if (sumMask & (1 << i)) byParent.set(c.parent, [c.reduced]); });
    return parents.flatMap((p, k) => byParent.get(k) ?? [p]);
}
