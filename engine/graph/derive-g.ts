// Deriving the graph G of a hypothesis file (DESIGN.md §2.1) from the model graph and the hook
// declarations: its nodes (input or its parts, hook points or their parts, output), the parents of
// each computed tensor (walking ONNX producers back to hook tensors and graph inputs), and the
// problems a user must see while typing.
import type { GraphSpec, HookSpec, SplitSpec } from '../spec.js';
import { closestName } from './did-you-mean.js';
import { firstPerExampleDownstream } from './probe.js';
import { partDependencies, type PartDependencies } from './part-deps.js';
import { applyRewritesToGraph, planRewrites, type RewritePatch } from './rewrite.js';
import { checkSplit } from './split.js';
import type { GNode, GraphG, GraphProblem, ModelGraph, TensorInfo } from './types.js';

/**
 * G for a model and its hook declarations; hooks with errors are left out of G, and reported.
 * `graph` is the model graph G was derived on: the model's, with the rewrites of hooks into sums
 * of parts made in it (graph/rewrite.ts; `rewrites` applies them to the ONNX model).
 */
export function deriveG(model: ModelGraph, spec: GraphSpec): { g: GraphG; problems: GraphProblem[]; graph: ModelGraph; rewrites: RewritePatch } {
    const rewritten = cachedRewrites(model, spec);
    const graph = rewritten.graph;
    const problems: GraphProblem[] = [...rewritten.problems];
    const nodes = new Map<string, GNode>();
    const byTensor = new Map<string, string[]>();
    const add = (node: GNode) => {
        nodes.set(node.name, node);
        for (const { tensor } of node.tensors) pushTo(byTensor, tensor, node.name);
    };

    addInputNodes(graph, spec.inputSplit, add, problems);
    const outputTensor = graph.outputs[0];
    const reachable = reachableFromInputs(graph);
    const hookOfTensor = new Map<string, string>();
    const hookOrder: string[] = [];
    for (const hook of spec.hooks) {
        const problem = hookProblem(graph, hook, hookOfTensor, outputTensor);
        if (problem !== undefined) {
            problems.push({ ...problem, hook: hook.name });
            continue;
        }
        if (!reachable.has(hook.tensor)) {
            problems.push({ code: 'unreachable-tensor', severity: 'warning', hook: hook.name,
                message: `tensor "${hook.tensor}" does not depend on the model input: it is computed from weights and constants only` });
        }
        if (hook.rewrite !== undefined) {
            // A rewritten hook is its parts, each a whole tensor of its own; one whose rewrite has
            // a problem (reported) is left out.
            for (const part of rewritten.patch.hooks.get(hook.name)?.parts ?? []) {
                hookOfTensor.set(part.tensor, hook.name);
                hookOrder.push(part.tensor);
                add({ name: `${hook.name}.${part.name}`, kind: 'hook', tensors: [{ tensor: part.tensor, coverage: { kind: 'all' } }], rewrite: part.describe });
            }
            continue;
        }
        hookOfTensor.set(hook.tensor, hook.name);
        hookOrder.push(hook.tensor);
        for (const n of splitNodes(hook.name, 'hook', hook.tensor, graph, hook.split, problems)) add(n);
    }
    add({ name: 'output', kind: 'output', tensors: [{ tensor: outputTensor, coverage: { kind: 'all' } }] });

    const inputSet = new Set(graph.inputs);
    const badSplitTensors = new Set(problems.filter(p => p.code === 'bad-split' || p.code === 'unknown-input')
        .map(p => (p.hook === 'input' ? spec.inputSplit?.tensor ?? graph.inputs[0] : spec.hooks.find(h => h.name === p.hook)?.tensor))
        .filter((t): t is string => t !== undefined));
    const parentMemo = new Map<string, readonly string[]>();
    const tensorParents = (tensor: string): readonly string[] => {
        let ps = parentMemo.get(tensor);
        if (ps === undefined) {
            ps = walkParents(graph, tensor, t => hookOfTensor.has(t) || inputSet.has(t));
            parentMemo.set(tensor, ps);
        }
        return ps;
    };
    const nodesOfTensor = (tensor: string): readonly string[] => byTensor.get(tensor) ?? [];
    const nodeParents = new Map<string, readonly string[]>();
    for (const node of nodes.values()) {
        const ps = node.kind === 'input' ? [] : node.tensors.flatMap(t => tensorParents(t.tensor).flatMap(nodesOfTensor));
        nodeParents.set(node.name, [...new Set(ps)]);
    }
    const parents = (node: string): readonly string[] => nodeParents.get(node) ?? [];
    // Part-level parents, per computed tensor, worked out on first use (the editor's hovers and
    // edge checks ask for a few; a file with no split never needs them).
    const partMemo = new Map<string, PartDependencies | undefined>();
    const partParents = (node: string): readonly string[] => {
        const n = nodes.get(node);
        if (n === undefined || n.kind === 'input' || n.tensors.length !== 1) return parents(node);
        const tensor = n.tensors[0].tensor;
        const ps = tensorParents(tensor);
        // Whole tensors on both ends: the tensor-level edge is the part-level one. A split with
        // errors of its own keeps the tensor-level edges.
        if (nodesOfTensor(tensor).length === 1 && ps.every(p => nodesOfTensor(p).length === 1)) return parents(node);
        if ([tensor, ...ps].some(t => badSplitTensors.has(t))) return parents(node);
        if (!partMemo.has(tensor)) partMemo.set(tensor, cachedPartDependencies(graph, tensor, ps, nodesOfTensor, nodes));
        const real = partMemo.get(tensor)?.parts.get(node);
        return real === undefined ? parents(node) : parents(node).filter(p => real.includes(p));
    };
    const partsInexact = (node: string): boolean => {
        const n = nodes.get(node);
        if (n === undefined || n.kind === 'input' || n.tensors.length !== 1) return false;
        const tensor = n.tensors[0].tensor;
        if (nodesOfTensor(tensor).length === 1 && tensorParents(tensor).every(p => nodesOfTensor(p).length === 1)) return false;
        partParents(node);
        // Not worked out (a shape unknown, too many parts): the tensor-level parents stand in, an over-approximation too.
        return partMemo.has(tensor) && (partMemo.get(tensor)?.inexact ?? true);
    };

    const computedTensors = topologicalOrder([...hookOrder, outputTensor], t => tensorParents(t).filter(p => !inputSet.has(p)));
    const ancestorMemo = new Map<string, ReadonlySet<string>>();
    const ancestors = (node: string): ReadonlySet<string> => {
        let set = ancestorMemo.get(node);
        if (set === undefined) {
            set = new Set(parents(node).flatMap(p => [p, ...ancestors(p)]));
            ancestorMemo.set(node, set);
        }
        return set;
    };
    const isAncestor = (from: string, to: string) => ancestors(to).has(from);
    // Parents before children, so `between` lists hook points in the order data flows through them.
    const nodeOrder = [...nodes.values()].filter(n => n.kind === 'input').map(n => n.name)
        .concat(computedTensors.flatMap(nodesOfTensor));
    const between = (from: string, to: string): readonly string[] => {
        if (!isAncestor(from, to) || parents(to).includes(from)) return [];
        return nodeOrder.filter(n => n !== from && n !== to && nodes.get(n)?.kind === 'hook' && isAncestor(from, n) && isAncestor(n, to));
    };

    return {
        g: { nodes, computedTensors, tensorParents, nodesOfTensor, parents, partParents, partsInexact, between, isAncestor },
        problems, graph, rewrites: rewritten.patch,
    };
}

/**
 * The rewrites of a spec made in the model graph, per model graph and the declarations they read:
 * the same graph object for an unchanged file, so that part-level edges stay cached while typing.
 */
const rewriteCache = new WeakMap<ModelGraph, Map<string, { graph: ModelGraph; patch: RewritePatch; problems: GraphProblem[] }>>();

function cachedRewrites(model: ModelGraph, spec: GraphSpec): { graph: ModelGraph; patch: RewritePatch; problems: GraphProblem[] } {
    const rewritten = spec.hooks.filter(h => h.rewrite !== undefined);
    if (rewritten.length === 0) return { graph: model, patch: { nodes: [], constants: [], hooks: new Map() }, problems: [] };
    let cache = rewriteCache.get(model);
    if (cache === undefined) rewriteCache.set(model, cache = new Map());
    const sources = spec.hooks.filter(h => rewritten.some(r => r.rewrite?.kind === 'through' && r.rewrite.source === h.name));
    const key = JSON.stringify([rewritten, sources, spec.hooks.map(h => h.tensor)]);
    let hit = cache.get(key);
    if (hit === undefined) {
        const { patch, problems } = planRewrites(model, spec);
        hit = { graph: applyRewritesToGraph(model, patch), patch, problems };
        if (cache.size >= 16) cache.delete(cache.keys().next().value!);
        cache.set(key, hit);
    }
    return hit;
}

/** Part dependencies per model graph, by tensor and the splits of it and its parents: the editor derives G on every edit. */
const partCache = new WeakMap<ModelGraph, Map<string, PartDependencies | undefined>>();
const PART_CACHE_ENTRIES = 256;

function cachedPartDependencies(graph: ModelGraph, tensor: string, ps: readonly string[],
    nodesOfTensor: (t: string) => readonly string[], nodes: ReadonlyMap<string, GNode>): PartDependencies | undefined {
    let cache = partCache.get(graph);
    if (cache === undefined) partCache.set(graph, cache = new Map());
    const key = JSON.stringify([tensor, ...[tensor, ...ps].map(t => nodesOfTensor(t).map(n => [n, nodes.get(n)?.tensors]))]);
    if (cache.has(key)) return cache.get(key);
    const result = partDependencies(graph, tensor, ps, nodesOfTensor, nodes);
    if (cache.size >= PART_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
    return result;
}

/** The `input` node, or with a split the parts `input.<part>` and `input.rest`. */
function addInputNodes(graph: ModelGraph, split: (SplitSpec & { tensor?: string }) | undefined,
    add: (n: GNode) => void, problems: GraphProblem[]): void {
    const all: GNode = { name: 'input', kind: 'input', tensors: graph.inputs.map(tensor => ({ tensor, coverage: { kind: 'all' } })) };
    if (split === undefined) return add(all);
    const tensor = split.tensor ?? (graph.inputs.length === 1 ? graph.inputs[0] : undefined);
    if (tensor === undefined || !graph.inputs.includes(tensor)) {
        const suggestion = split.tensor === undefined ? undefined : closestName(split.tensor, graph.inputs);
        problems.push({
            code: 'unknown-input', severity: 'error', hook: 'input', suggestion,
            message: split.tensor === undefined
                ? `the model has ${graph.inputs.length} inputs (${graph.inputs.join(', ')}): say which one is split`
                : `the model has no input "${split.tensor}"${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ''}`,
        });
        return add(all);
    }
    const nodes = splitNodes('input', 'input', tensor, graph, split, problems);
    // The rest of the input also holds every graph input that is not split.
    const others = graph.inputs.filter(i => i !== tensor).map(t => ({ tensor: t, coverage: { kind: 'all' } as const }));
    const rest = nodes.find(n => n.name === 'input.rest');
    if (rest !== undefined) rest.tensors.push(...others);
    else if (others.length > 0) nodes.push({ name: 'input.rest', kind: 'input', tensors: others });
    nodes.forEach(add);
}

/** The G nodes of one tensor: the tensor whole, or its named parts and (when not empty) `.rest`. */
function splitNodes(name: string, kind: 'input' | 'hook', tensor: string, graph: ModelGraph,
    split: SplitSpec | undefined, problems: GraphProblem[]): GNode[] {
    if (split === undefined) return [{ name, kind, tensors: [{ tensor, coverage: { kind: 'all' } }] }];
    // Parts are created even when the split has errors, so that references to them do not pile
    // further errors on top of the one that matters.
    const checked = checkSplit(name, graph.tensors.get(tensor)!, split);
    problems.push(...checked.problems);
    const nodes: GNode[] = checked.parts.map(p => ({ name: `${name}.${p.name}`, kind, tensors: [{ tensor, coverage: p.coverage }] }));
    if (checked.rest !== null) nodes.push({ name: `${name}.rest`, kind, tensors: [{ tensor, coverage: checked.rest }] });
    return nodes;
}

/** Why a hook cannot be a G node, if it cannot. */
function hookProblem(graph: ModelGraph, hook: HookSpec, hookOfTensor: ReadonlyMap<string, string>,
    outputTensor: string): Omit<GraphProblem, 'hook'> | undefined {
    if ([...hookOfTensor.values()].includes(hook.name) || hook.name === 'output' || hook.name === 'input') {
        return { code: 'duplicate-tensor', severity: 'error', message: `G node "${hook.name}" is declared twice` };
    }
    const info = graph.tensors.get(hook.tensor);
    if (info === undefined) {
        const candidates = [...graph.tensors.values()].filter(t => t.kind !== 'initializer').map(t => t.name);
        const suggestion = closestName(hook.tensor, candidates);
        return { code: 'unknown-tensor', severity: 'error', suggestion,
            message: `no tensor "${hook.tensor}" in the model${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ''}` };
    }
    if (info.kind === 'initializer') {
        return { code: 'unreachable-tensor', severity: 'error',
            message: `"${hook.tensor}" is an initializer (a weight), not an activation: it does not depend on the input` };
    }
    if (info.kind === 'input') {
        return { code: 'duplicate-tensor', severity: 'error',
            message: `"${hook.tensor}" is a model input, already the G node "input" (split the input to name parts of it)` };
    }
    if (hook.tensor === outputTensor) {
        return { code: 'duplicate-tensor', severity: 'error', message: `"${hook.tensor}" is the model output, already the G node "output"` };
    }
    const other = hookOfTensor.get(hook.tensor);
    if (other !== undefined) {
        return { code: 'duplicate-tensor', severity: 'error', message: `tensor "${hook.tensor}" is already the hook point "${other}"` };
    }
    if (info.perExample === false) return notPerExample(graph, info);
    if (info.nonFinite !== undefined) return notFinite(graph, info);
    return undefined;
}

/**
 * A hook on a tensor the model itself fills with infinities or NaN (attention scores masked with
 * -inf before the softmax): a scrub reads every hook tensor and stops on a value that is not
 * finite, so the file would check and never scrub.
 */
function notFinite(graph: ModelGraph, info: TensorInfo): Omit<GraphProblem, 'hook'> {
    const downstream = firstPerExampleDownstream(graph, info.name, t => t.perExample === true && t.nonFinite === undefined);
    return {
        code: 'not-finite', severity: 'error', suggestion: downstream,
        message: `"${info.name}" holds ${info.nonFinite} on the dataset's first rows (a mask applied with -inf, say), and a scrub stops on a value that is not finite, so it cannot be a hook point`
            + (downstream !== undefined ? `; the first finite tensor downstream is "${downstream}"` : ''),
    };
}

/**
 * A hook on a tensor without the batch axis (a constant, a weight, a shape value, a position
 * table the model broadcasts later): it is the same for every example, so there is nothing to
 * resample, and the engine stacks activations along the batch axis it does not have.
 */
function notPerExample(graph: ModelGraph, info: TensorInfo): Omit<GraphProblem, 'hook'> {
    const shape = info.shape === null ? '' : ` (shape [${info.shape.join(', ')}])`;
    const downstream = firstPerExampleDownstream(graph, info.name);
    return {
        code: 'not-per-example', severity: 'error', suggestion: downstream,
        message: `"${info.name}"${shape} does not carry the batch axis: it is the same for every example (a constant, weight, shape value or table the model broadcasts later), so it cannot be a hook point`
            + (downstream !== undefined ? `; the first per-example tensor downstream is "${downstream}"` : ''),
    };
}

/**
 * The frontier reached walking ONNX producers back from `tensor`: tensors where `stop` holds, in
 * the order a depth-first walk over node inputs meets them. Initializers and constants (nodes
 * without inputs) end the walk without being parents: they belong to the local function.
 */
function walkParents(graph: ModelGraph, tensor: string, stop: (t: string) => boolean): string[] {
    const frontier: string[] = [];
    const seen = new Set<string>([tensor]);
    const visit = (t: string): void => {
        for (const i of graph.tensors.get(t)?.producer?.inputs ?? []) {
            if (seen.has(i)) continue;
            seen.add(i);
            if (stop(i)) frontier.push(i);
            else visit(i);
        }
    };
    visit(tensor);
    return frontier;
}

/** Tensors reachable forward from the graph inputs. */
function reachableFromInputs(graph: ModelGraph): Set<string> {
    const consumers = new Map<string, string[]>();
    for (const t of graph.tensors.values()) {
        for (const i of t.producer?.inputs ?? []) pushTo(consumers, i, t.name);
    }
    const reached = new Set<string>(graph.inputs);
    const stack = [...graph.inputs];
    while (stack.length > 0) {
        for (const c of consumers.get(stack.pop()!) ?? []) {
            if (!reached.has(c)) {
                reached.add(c);
                stack.push(c);
            }
        }
    }
    return reached;
}

/** `items` ordered so that each comes after its `deps` (a depth-first post-order; ties keep input order). */
function topologicalOrder(items: readonly string[], deps: (t: string) => readonly string[]): string[] {
    const out: string[] = [];
    const done = new Set<string>();
    const visit = (t: string): void => {
        if (done.has(t)) return;
        done.add(t);
        deps(t).forEach(visit);
        out.push(t);
    };
    items.forEach(visit);
    return out;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
}
