// Rewrites of a hook point into a sum of parts (DESIGN.md §2.1: any extensionally equal form of
// the model may be claimed about). The rewrite is made in the model itself: each part becomes a
// tensor of its own, computed from the hook's inputs, and the hook's consumers read the sum of
// the parts instead of the hook. Each part is then an ordinary hook point over a whole tensor, so
// the planner, the executor, the cuts and the checks need nothing new: a consumer's local function
// adds up its parts, each computed on whatever example the scrub gave it.
//
// - Through a linear map (`split through Z`): O depends on the split hook Z only through linear
//   ops and constants. Part k is the linear part L of O applied to Z with every other part zeroed
//   (a Where on Z's constant part mask, then a copy of the chain Z → O with each added constant
//   multiplied by zero); `bias` is O(0) (the chain run on Z zeroed). O = O(0) + Σ_k L(Z_k).
// - By subspaces (`split subspace { … }`): part k is T · P_k, P_k the orthogonal projection onto
//   the span of its vectors (last axis); `rest` is T · (I − Σ_k P_k).
//
// This file and rewrite-through.ts, rewrite-subspace.ts and rewrite-parts.ts work on the ModelGraph
// (pure, used by the language while typing); onnx/rewrite-model.ts applies the same patch to the
// ONNX model the engine runs, and runtime/rewrite-check.ts verifies on dataset rows that the
// parts add up to the tensor.
import type { GraphSpec } from '../spec.js';
import type { AddedConstant, AddedNode, RewritePatch, RewrittenHook } from './rewrite-parts.js';
import { subspaceRewrite } from './rewrite-subspace.js';
import { throughRewrite } from './rewrite-through.js';
import type { GraphProblem, ModelGraph, TensorInfo } from './types.js';

export type { AddedConstant, AddedNode, RewritePart, RewritePatch, RewrittenHook } from './rewrite-parts.js';
export { ORTHOGONALITY_TOLERANCE } from './rewrite-subspace.js';

/**
 * The rewrites a graph spec declares, worked out on a model graph; hooks whose rewrite has a
 * problem are left out. A shape not known yet (the editor, before the probe run has given it) is
 * a warning: the hook's parts are then missing from G, which the engine refuses to scrub.
 */
export function planRewrites(graph: ModelGraph, spec: GraphSpec): { patch: RewritePatch; problems: GraphProblem[] } {
    const patch = { nodes: [] as AddedNode[], constants: [] as AddedConstant[], hooks: new Map<string, RewrittenHook>() };
    const problems: GraphProblem[] = [];
    const hookTensors = new Set(spec.hooks.map(h => h.tensor));
    for (const hook of spec.hooks) {
        if (hook.rewrite === undefined) continue;
        const info = graph.tensors.get(hook.tensor);
        // An unknown tensor is the hook's own error (derive-g.ts).
        if (info === undefined || info.producer === null) continue;
        const fail = (code: GraphProblem['code'], message: string, severity: GraphProblem['severity'] = 'error') => problems.push({ code, severity, message, hook: hook.name });
        const made = hook.rewrite.kind === 'through'
            ? throughRewrite(graph, spec, hook, hook.rewrite.source, hookTensors, fail)
            : subspaceRewrite(info, hook, hook.rewrite.parts, fail);
        if (made === undefined) continue;
        patch.nodes.push(...made.nodes);
        patch.constants.push(...made.constants);
        patch.hooks.set(hook.name, made.hook);
    }
    return { patch, problems };
}

/**
 * The model graph with a patch applied: the added tensors (shaped like the tensors they copy or
 * stand for), the masks' values as constants (part-deps.ts follows a Where on them element by
 * element, so part k of O depends on Z.k alone), and every consumer of a rewritten hook reading
 * the sum of its parts.
 */
export function applyRewritesToGraph(graph: ModelGraph, patch: RewritePatch): ModelGraph {
    if (patch.hooks.size === 0) return graph;
    const tensors = new Map(graph.tensors);
    const constants = new Map(graph.constants ?? []);
    for (const c of patch.constants) {
        tensors.set(c.name, { name: c.name, dtype: c.dtype, shape: c.dims, producer: null, kind: 'initializer', perExample: false });
        if (c.dtype === 'bool') constants.set(c.name, Array.from(c.values));
    }
    const sums = new Map([...patch.hooks.values()].map(h => [h.tensor, h.sum]));
    // Every consumer of a rewritten tensor reads the sum instead (the added nodes are not yet in `tensors`).
    for (const [name, info] of tensors) {
        const p = info.producer;
        if (p === null || !p.inputs.some(i => sums.has(i))) continue;
        const swap = (i: string) => sums.get(i) ?? i;
        tensors.set(name, { ...info, producer: { ...p, inputs: p.inputs.map(swap), ...(p.args && { args: p.args.map(swap) }) } });
    }
    for (const n of patch.nodes) {
        const original = n.copyOf === undefined ? undefined : graph.tensors.get(n.copyOf)?.producer ?? undefined;
        n.outputs.forEach((out, i) => {
            if (out === '') return;
            // A copy's output is shaped like the original's; a mask, projection, sum or part like the tensor it stands for.
            const like = n.copyOf !== undefined ? outputOfCopy(graph, n.copyOf, i)
                : n.op === 'Mul' ? tensors.get(n.inputs[0]) : tensors.get(n.inputs[n.op === 'Where' ? 1 : 0]);
            tensors.set(out, {
                name: out,
                dtype: like?.dtype ?? null,
                shape: like?.shape ?? null,
                producer: { op: n.op, node: n.name, inputs: [...new Set(n.inputs.filter(x => x !== ''))], args: n.inputs, outputIndex: i,
                    ...(original?.attributes && { attributes: original.attributes }) },
                kind: 'intermediate',
                ...(like?.perExample !== undefined && { perExample: like.perExample }),
            });
        });
    }
    return { ...graph, tensors, constants };
}

/** The i-th output of the model node that produces `anyOutput`. */
function outputOfCopy(graph: ModelGraph, anyOutput: string, i: number): TensorInfo | undefined {
    const p = graph.tensors.get(anyOutput)?.producer;
    if (p === undefined || p === null) return undefined;
    for (const t of graph.tensors.values()) {
        if (t.producer?.node === p.node && t.producer.op === p.op && (t.producer.outputIndex ?? 0) === i
            && (t.producer.args ?? t.producer.inputs).join('\u0000') === (p.args ?? p.inputs).join('\u0000')) return t;
    }
    return undefined;
}
