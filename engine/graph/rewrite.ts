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
// This file works on the ModelGraph (pure, used by the language while typing); onnx/rewrite-model.ts
// applies the same patch to the ONNX model the engine runs, and runtime/rewrite-check.ts verifies
// on dataset rows that the parts add up to the tensor.
import type { GraphSpec, HookSpec } from '../spec.js';
import { coverageMask } from './coverage-mask.js';
import { checkSplit } from './split.js';
import type { GraphProblem, ModelGraph, TensorInfo } from './types.js';

/** A node the rewrite adds; a copy of a model node (`copyOf`, one of its outputs) keeps that node's attributes. */
export interface AddedNode {
    op: string;
    name: string;
    /** By position ('' for an omitted optional input). */
    inputs: string[];
    outputs: string[];
    copyOf?: string;
    /** Where it goes in the model's node list: after the node producing this tensor (topological order). */
    after: string;
}

/** A constant the rewrite adds: part masks (bool), zeros and projection matrices (float32). */
export interface AddedConstant {
    name: string;
    dtype: 'float32' | 'bool';
    dims: number[];
    values: Float32Array | Uint8Array;
}

export interface RewritePart {
    /** The part's name: the G node is `<hook>.<name>`. */
    name: string;
    tensor: string;
    /** What the part is, for hovers and the graph view. */
    describe: string;
}

export interface RewrittenHook {
    /** The hook's own tensor (still computed; nothing reads it any more but the check). */
    tensor: string;
    parts: RewritePart[];
    /** The tensor holding the sum of the parts, which the hook's consumers read instead. */
    sum: string;
}

export interface RewritePatch {
    nodes: AddedNode[];
    constants: AddedConstant[];
    /** Per rewritten hook (by hook name). */
    hooks: ReadonlyMap<string, RewrittenHook>;
}

/** Tolerance of the orthogonality check between two parts' unit vectors (|u · w|). */
export const ORTHOGONALITY_TOLERANCE = 1e-4;

/** Ops a linear rewrite may pass through, and which of their inputs may depend on the source. */
const STRUCTURAL = new Set(['Identity', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Expand', 'Neg', 'Gather',
    'Slice', 'Split', 'ReduceSum', 'Tile', 'Dropout']);
/** Ops whose output holds no value of their input (only its shape). */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

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

type Fail = (code: GraphProblem['code'], message: string, severity?: GraphProblem['severity']) => void;
interface Made { nodes: AddedNode[]; constants: AddedConstant[]; hook: RewrittenHook }

/** One example's dims of a per-example tensor, when every one is known. */
function exampleDims(info: TensorInfo): number[] | undefined {
    const rest = info.shape?.slice(1);
    return rest !== undefined && rest.every(d => typeof d === 'number') ? rest as number[] : undefined;
}

function partTensor(hook: string, part: string): string {
    return `${hook}.${part}::rewrite`;
}

function throughRewrite(graph: ModelGraph, spec: GraphSpec, hook: HookSpec, sourceName: string, hookTensors: ReadonlySet<string>, fail: Fail): Made | undefined {
    const source = spec.hooks.find(h => h.name === sourceName);
    if (source === undefined) return void fail('rewrite-invalid', `no hook point "${sourceName}" to rewrite "${hook.name}" through: name a hook declared in the graph block`);
    if (source.split === undefined) {
        return void fail('rewrite-invalid', `"${sourceName}" is not split: a rewrite through a map makes one part per part of its source (write \`split axis …\` on "${sourceName}")`);
    }
    const z = graph.tensors.get(source.tensor);
    // An unknown source tensor, or a split with errors, is the source's own error.
    if (z === undefined) return undefined;
    const checked = checkSplit(source.name, z, source.split);
    if (checked.problems.length > 0) return undefined;
    const dims = exampleDims(z);
    if (dims === undefined) {
        return void fail('rewrite-invalid', `the shape of "${source.tensor}" is not known yet (the model file does not declare it; hyp check and the editor's probe run find it)`, 'warning');
    }
    if (z.dtype !== null && z.dtype !== 'float32') return void fail('rewrite-invalid', `"${source.tensor}" holds ${z.dtype}: a rewrite through a map needs float32`);
    const partNames = [...checked.parts.map(p => p.name), ...(checked.rest !== null ? ['rest'] : [])];
    if (partNames.includes('bias')) return void fail('rewrite-invalid', `"${sourceName}" has a part named "bias", the name of the constant part of "${hook.name}": rename that part`);

    const chain = linearChain(graph, hook.tensor, source.tensor, hookTensors, fail);
    if (chain === undefined) return undefined;
    const ops = chain.map(n => n.op).join(' → ');

    const nodes: AddedNode[] = [];
    const constants: AddedConstant[] = [];
    const zero = `${hook.name}::rewrite::zero`;
    constants.push({ name: zero, dtype: 'float32', dims: [], values: new Float32Array(1) });
    const zeroed = new Map<string, string>();
    /** A constant operand of an addition, times zero: the linear part of the map leaves it out (keeping its shape). */
    const zeroOf = (t: string): string => {
        let name = zeroed.get(t);
        if (name === undefined) {
            zeroed.set(t, name = `${t}::${hook.name}::zeroed`);
            nodes.push({ op: 'Mul', name, inputs: [t, zero], outputs: [name], after: hook.tensor });
        }
        return name;
    };
    const coverages = [...checked.parts.map(p => p.coverage), ...(checked.rest !== null ? [checked.rest] : [])];
    const parts: RewritePart[] = [];
    const copy = (part: string, mask: AddedConstant, linear: boolean): string => {
        constants.push(mask);
        const masked = `${source.tensor}::${hook.name}.${part}::masked`;
        nodes.push({ op: 'Where', name: masked, inputs: [mask.name, source.tensor, zero], outputs: [masked], after: hook.tensor });
        const renamed = new Map<string, string>([[source.tensor, masked]]);
        const rename = (t: string) => renamed.get(t) ?? t;
        for (const n of chain) {
            const outputs = n.outputs.map(o => (o === '' ? '' : `${o}::${hook.name}.${part}`));
            n.outputs.forEach((o, i) => renamed.set(o, outputs[i]));
            const inputs = n.args.map((a, i) => {
                if (a === '' || n.dependent[i]) return rename(a);
                // The constants an affine op adds (a bias) are left out of the linear part.
                const added = n.op === 'Add' || n.op === 'Sub' || n.op === 'Sum' || (n.op === 'Gemm' && i === 2);
                return linear && added ? zeroOf(a) : a;
            });
            const first = n.outputs.find(o => o !== '')!;
            nodes.push({ op: n.op, name: `${n.name || first}::${hook.name}.${part}`, inputs, outputs, copyOf: first, after: hook.tensor });
        }
        return rename(hook.tensor);
    };
    coverages.forEach((coverage, k) => {
        const name = partNames[k];
        const mask = compressedMask(coverageMask(coverage, [1, ...dims]), dims);
        const out = copy(name, { name: `${hook.name}.${name}::rewrite::mask`, dtype: 'bool', dims: [1, ...mask.dims], values: mask.values }, true);
        parts.push({ name, tensor: out, describe: `the contribution of ${sourceName}.${name} to ${hook.name} (the other parts of ${sourceName} zeroed, constants left out) through ${ops}` });
    });
    const biasOut = copy('bias', { name: `${hook.name}.bias::rewrite::mask`, dtype: 'bool', dims: dims.map(() => 1).concat(1), values: new Uint8Array(1) }, false);
    parts.push({ name: 'bias', tensor: biasOut, describe: `the constant part of ${hook.name}: its value when ${sourceName} is zero (the same on every example)` });
    return finish(hook, parts, nodes, constants);
}

/** Gives every part a tensor named after it (Identity), and adds the sum the hook's consumers read. */
function finish(hook: HookSpec, parts: RewritePart[], nodes: AddedNode[], constants: AddedConstant[]): Made {
    const named = parts.map(p => {
        const tensor = partTensor(hook.name, p.name);
        nodes.push({ op: 'Identity', name: tensor, inputs: [p.tensor], outputs: [tensor], after: hook.tensor });
        return { ...p, tensor };
    });
    const sum = `${hook.name}::rewrite::sum`;
    nodes.push({ op: 'Sum', name: sum, inputs: named.map(p => p.tensor), outputs: [sum], after: hook.tensor });
    return { nodes, constants, hook: { tensor: hook.tensor, parts: named, sum } };
}

interface ChainNode {
    op: string;
    name: string;
    args: readonly string[];
    outputs: string[];
    /** Per argument: whether it depends on the source's values. */
    dependent: boolean[];
}

/**
 * The nodes between `source` and `target` that depend on the source's values, parents first; a
 * problem (and undefined) when the target reads anything else per example, or an op is not linear.
 */
function linearChain(graph: ModelGraph, target: string, source: string, hookTensors: ReadonlySet<string>, fail: Fail): ChainNode[] | undefined {
    const producers = new Map<string, string[]>();
    for (const t of graph.tensors.values()) {
        if (t.producer === null) continue;
        const key = producerKey(t);
        const list = producers.get(key);
        if (list === undefined) producers.set(key, [t.name]);
        else list.push(t.name);
    }
    const memo = new Map<string, boolean>();
    const chain: ChainNode[] = [];
    const done = new Set<string>();
    let problem = false;
    const depends = (t: string): boolean => {
        if (t === source) return true;
        const known = memo.get(t);
        if (known !== undefined) return known;
        memo.set(t, false);
        const info = graph.tensors.get(t);
        if (info === undefined || info.kind === 'initializer' || info.producer === null) {
            if (info?.kind === 'input' && !problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" also reads the model input "${t}", not only "${source}": a rewrite through a map needs a tensor computed from its source alone`);
            }
            return false;
        }
        if (t !== target && hookTensors.has(t)) {
            if (!problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" also reads the hook point "${t}", not only "${source}": a rewrite through a map needs a tensor computed from its source alone`);
            }
            return false;
        }
        const p = info.producer;
        if (SHAPE_ONLY.has(p.op)) return false;
        const args = p.args ?? p.inputs;
        const dependent = args.map(a => a !== '' && depends(a));
        // A subgraph (If, Loop) reading the source is not followed.
        const captured = p.inputs.filter(i => !args.includes(i)).some(depends);
        const any = dependent.some(d => d) || captured;
        memo.set(t, any);
        if (!any) return false;
        const key = producerKey(info);
        if (done.has(key)) return true;
        done.add(key);
        const why = captured ? 'reads it inside a subgraph' : nonLinear(p.op, dependent, p.attributes);
        if (why !== undefined) {
            if (!problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" is not a linear function of "${source}": the ${p.op} node "${p.node || t}" ${why}; a rewrite through a map passes only MatMul, Gemm and Einsum with a constant operand, Add, Sub and Sum, Mul and Div by a constant, casts between floats, and reshapes, transposes, gathers, slices and concatenations`);
            }
            return true;
        }
        // The node's outputs by position ('' where one is omitted), so that a copy keeps them in place.
        const outs = producers.get(key)!;
        const outputs = Array.from({ length: Math.max(...outs.map(o => outputIndex(graph, o))) + 1 },
            (_, i) => outs.find(o => outputIndex(graph, o) === i) ?? '');
        chain.push({ op: p.op, name: p.node, args, outputs, dependent });
        return true;
    };
    const reached = depends(target);
    if (problem) return undefined;
    if (!reached) return void fail('rewrite-invalid', `"${target}" does not depend on "${source}"`);
    return chain;
}

function producerKey(info: TensorInfo): string {
    const p = info.producer!;
    return `${p.op}\u0000${p.node}\u0000${(p.args ?? p.inputs).join('\u0000')}`;
}

function outputIndex(graph: ModelGraph, t: string): number {
    return graph.tensors.get(t)?.producer?.outputIndex ?? 0;
}

/** ONNX element types a Cast may convert to and stay linear (to rounding): float, double, float16, bfloat16. */
const FLOAT_TYPES = new Set([1, 11, 10, 16]);

/** Why an op is not linear in the arguments marked dependent; undefined when it is. */
function nonLinear(op: string, dependent: readonly boolean[], attributes?: Readonly<Record<string, unknown>>): string | undefined {
    const count = dependent.filter(d => d).length;
    if (op === 'Cast') return FLOAT_TYPES.has(attributes?.to as number) ? undefined : 'converts it to a type that is not a float';
    if (op === 'Add' || op === 'Sub' || op === 'Sum') return undefined;
    if (op === 'Mul' || op === 'MatMul' || op === 'Einsum') return count === 1 ? undefined : 'multiplies two values that depend on it';
    if (op === 'Div') return dependent[0] && count === 1 ? undefined : 'divides by a value that depends on it';
    if (op === 'Gemm') return (dependent[0] !== dependent[1]) ? undefined : 'multiplies two values that depend on it';
    if (op === 'Concat') return dependent.every(d => d) ? undefined : 'joins it with a constant (an affine, not linear, piece)';
    if (STRUCTURAL.has(op)) return dependent.every((d, i) => !d || i === 0) ? undefined : 'uses a value that depends on it as indices, a shape or bounds';
    return 'is not linear';
}

/** A per-example 0/1 mask with every axis along which it does not vary reduced to 1 (so it broadcasts). */
function compressedMask(mask: Uint8Array, dims: readonly number[]): { dims: number[]; values: Uint8Array } {
    const keep = dims.map((n, a) => {
        if (n === 1) return false;
        const stride = dims.slice(a + 1).reduce((x, y) => x * y, 1);
        for (let e = 0; e < mask.length; e++) {
            const i = Math.floor(e / stride) % n;
            if (i !== 0 && mask[e] !== mask[e - i * stride]) return true;
        }
        return false;
    });
    const out = dims.map((n, a) => (keep[a] ? n : 1));
    const size = out.reduce((x, y) => x * y, 1);
    const values = new Uint8Array(size);
    const strides = dims.map((_, a) => dims.slice(a + 1).reduce((x, y) => x * y, 1));
    for (let o = 0; o < size; o++) {
        let rem = o, e = 0;
        for (let a = out.length - 1; a >= 0; a--) {
            const i = rem % out[a];
            rem = Math.floor(rem / out[a]);
            e += i * strides[a];
        }
        values[o] = mask[e];
    }
    return { dims: out, values };
}

function subspaceRewrite(info: TensorInfo, hook: HookSpec, declared: readonly { name: string; vectors: number[][] }[], fail: Fail): Made | undefined {
    const dims = exampleDims(info);
    if (dims === undefined || dims.length === 0) {
        return void fail('rewrite-invalid', `the shape of "${hook.tensor}" is not known yet (the model file does not declare it; hyp check and the editor's probe run find it)`, 'warning');
    }
    if (info.dtype !== null && info.dtype !== 'float32') return void fail('rewrite-invalid', `"${hook.tensor}" holds ${info.dtype}: a decomposition by subspaces needs float32`);
    const d = dims[dims.length - 1];
    const bases: { name: string; basis: Float64Array[] }[] = [];
    for (const part of declared) {
        if (part.name === 'rest') return void fail('rewrite-invalid', 'a part cannot be called "rest": that name is the orthogonal complement of the parts');
        if (bases.some(b => b.name === part.name)) return void fail('rewrite-invalid', `part "${part.name}" is declared twice`);
        if (part.vectors.length === 0) return void fail('rewrite-invalid', `part "${part.name}" has no vectors`);
        const wrong = part.vectors.findIndex(v => v.length !== d);
        if (wrong >= 0) {
            return void fail('rewrite-invalid', `part "${part.name}": vector ${wrong + 1} has ${part.vectors[wrong].length} entries, but the last axis of "${hook.tensor}" has ${d}`);
        }
        const basis = orthonormalBasis(part.vectors);
        if (typeof basis === 'number') {
            return void fail('rewrite-invalid', `part "${part.name}": vector ${basis + 1} is zero or lies in the span of the vectors before it; give linearly independent vectors`);
        }
        bases.push({ name: part.name, basis });
    }
    for (let a = 0; a < bases.length; a++) {
        for (let b = a + 1; b < bases.length; b++) {
            let worst = 0;
            for (const u of bases[a].basis) for (const w of bases[b].basis) worst = Math.max(worst, Math.abs(dot(u, w)));
            if (worst > ORTHOGONALITY_TOLERANCE) {
                return void fail('rewrite-not-orthogonal', `parts "${bases[a].name}" and "${bases[b].name}" are not orthogonal (|u · w| = ${worst.toPrecision(3)} for unit vectors of their subspaces): the subspaces of a decomposition must be mutually orthogonal`);
            }
        }
    }
    const rank = bases.reduce((n, b) => n + b.basis.length, 0);
    if (rank > d) return void fail('rewrite-invalid', `the parts span ${rank} dimensions, but the last axis of "${hook.tensor}" has ${d}`);
    const nodes: AddedNode[] = [];
    const constants: AddedConstant[] = [];
    const parts: RewritePart[] = [];
    const complement = identity(d);
    const project = (name: string, matrix: Float64Array, describe: string) => {
        const p = `${hook.name}.${name}::rewrite::projection`;
        constants.push({ name: p, dtype: 'float32', dims: [d, d], values: Float32Array.from(matrix) });
        const out = `${hook.name}.${name}::rewrite::projected`;
        nodes.push({ op: 'MatMul', name: out, inputs: [hook.tensor, p], outputs: [out], after: hook.tensor });
        parts.push({ name, tensor: out, describe });
    };
    for (const { name, basis } of bases) {
        const matrix = projection(basis, d);
        for (let i = 0; i < matrix.length; i++) complement[i] -= matrix[i];
        project(name, matrix, `the projection of ${hook.name} onto a rank-${basis.length} subspace of its last axis (of ${d})`);
    }
    if (rank < d) project('rest', complement, `the projection of ${hook.name} onto the orthogonal complement of its parts (rank ${d - rank} of ${d})`);
    return finish(hook, parts, nodes, constants);
}

/** Gram–Schmidt (twice, for accuracy) in float64; the index of the first dependent vector when there is one. */
function orthonormalBasis(vectors: readonly number[][]): Float64Array[] | number {
    const basis: Float64Array[] = [];
    for (const [i, v] of vectors.entries()) {
        const u = Float64Array.from(v);
        const norm0 = Math.sqrt(dot(u, u));
        for (let pass = 0; pass < 2; pass++) {
            for (const b of basis) {
                const c = dot(u, b);
                for (let j = 0; j < u.length; j++) u[j] -= c * b[j];
            }
        }
        const norm = Math.sqrt(dot(u, u));
        if (!(norm0 > 0) || norm <= 1e-6 * norm0) return i;
        for (let j = 0; j < u.length; j++) u[j] /= norm;
        basis.push(u);
    }
    return basis;
}

/** Σ_i b_i b_iᵀ as a row-major d × d matrix (symmetric, so T · P projects the last axis). */
function projection(basis: readonly Float64Array[], d: number): Float64Array {
    const p = new Float64Array(d * d);
    for (const b of basis) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) p[i * d + j] += b[i] * b[j];
    return p;
}

function identity(d: number): Float64Array {
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) m[i * d + i] = 1;
    return m;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
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
