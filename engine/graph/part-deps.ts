// Part-level G edges (DESIGN.md §2.1): part q of a parent is a G-parent of part p of a child only
// when some element of p depends on some element of q. Found structurally: each element of one
// example of every tensor between the parents and the child carries the set of parent G nodes it
// depends on (a bit each), pushed through the local function op by op. Element-wise ops with
// broadcasting, Gather, Slice, Split, Concat, Reshape, Transpose, MatMul, Softmax, LayerNorm and
// reductions are followed element by element; any other op makes each output element depend on
// every input element, so the edges found are never fewer than the real ones. Needs each tensor's
// per-example shape (declared, or from the probe run) and whether it carries the batch axis.
import { coverageMask } from './coverage-mask.js';
import type { Coverage, GNode, ModelGraph, TensorInfo } from './types.js';

/** At most this many parent G nodes (bits) per child tensor, and elements walked per child tensor. */
const MAX_PARENT_NODES = 32;
const MAX_ELEMENTS = 1 << 23;

/** A dependency mask: per element of one example, a bit per parent G node; null when nothing depends on a parent (constants). */
type Mask = { dims: number[]; bits: Uint32Array } | null;

class Unknown extends Error {}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'Equal', 'Greater', 'Less',
    'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor', 'Not', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Relu', 'LeakyRelu',
    'Sigmoid', 'Tanh', 'Erf', 'Cast', 'CastLike', 'Identity', 'Gelu', 'Softplus', 'Softsign', 'Clip', 'Floor', 'Ceil', 'Round', 'Sign',
    'Sin', 'Cos', 'Dropout', 'IsNaN', 'IsInf', 'PRelu', 'Mod', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Mish', 'Expand',
    'BitwiseAnd', 'BitwiseOr', 'BitwiseNot', 'Trilu']);
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
const NO_VALUES = new Set(['Shape', 'Size', 'ConstantOfShape', 'Constant', 'EyeLike', 'RandomNormalLike', 'RandomUniformLike']);
const REDUCTIONS = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
    'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin']);

/**
 * For a computed tensor, the parent G nodes each of its covering G nodes depends on; undefined
 * when that cannot be worked out (a shape unknown, too many parts or elements): the caller then
 * keeps the tensor-level parents.
 */
export function partDependencies(graph: ModelGraph, tensor: string, parentTensors: readonly string[],
    nodesOfTensor: (t: string) => readonly string[], nodes: ReadonlyMap<string, GNode>): Map<string, string[]> | undefined {
    const parentNodes = [...new Set(parentTensors.flatMap(nodesOfTensor))];
    if (parentNodes.length > MAX_PARENT_NODES) return undefined;
    try {
        const walk = new Walk(graph, parentTensors);
        parentNodes.forEach((name, bit) => {
            for (const { tensor: t, coverage } of nodes.get(name)?.tensors ?? []) {
                if (!parentTensors.includes(t)) continue;
                const dims = walk.dims(t);
                if (dims === null) throw new Unknown();
                walk.seed(t, dims, mask(coverage, dims), 1 << bit);
            }
        });
        const out = walk.mask(tensor);
        const result = new Map<string, string[]>();
        for (const child of nodesOfTensor(tensor)) {
            const node = nodes.get(child)!;
            const entry = node.tensors.find(x => x.tensor === tensor)!;
            let bits = 0;
            if (out !== null) {
                const covered = mask(entry.coverage, out.dims);
                for (let e = 0; e < covered.length; e++) if (covered[e]) bits |= out.bits[e];
            }
            result.set(child, parentNodes.filter((_, bit) => (bits & (1 << bit)) !== 0));
        }
        return result;
    } catch (e) {
        if (e instanceof Unknown) return undefined;
        throw e;
    }
}

/** A coverage's mask over one example; a split that cannot be masked (its own error, reported by the split check) is Unknown. */
function mask(coverage: Coverage, dims: number[]): Uint8Array {
    try {
        return coverageMask(coverage, [1, ...dims]);
    } catch {
        throw new Unknown();
    }
}

class Walk {
    private readonly masks = new Map<string, Mask>();
    private readonly seeds = new Set<string>();
    private readonly siblings = new Map<string, TensorInfo[]>();
    private elements = 0;

    constructor(private readonly graph: ModelGraph, parents: readonly string[]) {
        for (const p of parents) this.seeds.add(p);
        for (const t of graph.tensors.values()) {
            if (t.producer === null) continue;
            const list = this.siblings.get(t.producer.node) ?? [];
            list.push(t);
            this.siblings.set(t.producer.node, list);
        }
    }

    /**
     * Whether a tensor carries the batch axis: as the probe saw, else an input, else a declared
     * shape whose first axis is the inputs' symbolic batch axis.
     */
    perExample(info: TensorInfo): boolean | undefined {
        if (info.perExample !== undefined) return info.perExample;
        if (info.kind === 'input') return true;
        if (info.kind === 'initializer' || info.producer?.op === 'Constant') return false;
        const batch = this.graph.tensors.get(this.graph.inputs[0] ?? '')?.shape?.[0];
        return typeof batch === 'string' && info.shape?.[0] === batch ? true : undefined;
    }

    /** One example's dims of a per-example tensor; the whole dims of one without the batch axis; null when unknown. */
    dims(t: string): number[] | null {
        const info = this.graph.tensors.get(t);
        if (info?.shape == null) return null;
        const perExample = this.perExample(info);
        if (perExample === false) return info.shape.every(d => typeof d === 'number') ? info.shape as number[] : null;
        if (perExample !== true) return null;
        const rest = info.shape.slice(1);
        return rest.every(d => typeof d === 'number') ? rest as number[] : null;
    }

    seed(t: string, dims: number[], covered: Uint8Array, bit: number): void {
        let m = this.masks.get(t);
        if (m === undefined || m === null) {
            m = { dims, bits: new Uint32Array(covered.length) };
            this.masks.set(t, m);
        }
        for (let e = 0; e < covered.length; e++) if (covered[e]) m.bits[e] |= bit;
    }

    mask(t: string): Mask {
        const known = this.masks.get(t);
        if (known !== undefined || this.seeds.has(t)) return known ?? null;
        const info = this.graph.tensors.get(t);
        let m: Mask;
        if (info === undefined || info.producer === null || info.perExample === false || info.kind === 'initializer') m = null;
        else m = this.apply(info);
        this.masks.set(t, m);
        return m;
    }

    private apply(info: TensorInfo): Mask {
        const p = info.producer!;
        const args = p.args ?? p.inputs;
        const inputs = args.map(a => (a === '' ? null : this.mask(a)));
        if (inputs.every(m => m === null) || NO_VALUES.has(p.op)) return null;
        const dims = this.dims(info.name);
        if (dims === null || this.perExample(info) !== true) throw new Unknown();
        const size = dims.reduce((a, b) => a * b, 1);
        this.elements += size;
        if (this.elements > MAX_ELEMENTS) throw new Unknown();
        const at = (name: string) => p.attributes?.[name];
        const axis = (a: number, rank: number) => perExampleAxis(a, rank);
        const op = p.op;
        if (op === 'Where' && inputs[0] === null) {
            // A known condition (a causal mask): each element reads the branch it takes.
            const cond = this.graph.constants?.get(args[0]);
            const condDims = this.graph.tensors.get(args[0])?.shape;
            if (cond !== undefined && condDims?.every(d => typeof d === 'number')) return where(cond, condDims as number[], inputs[1], inputs[2], dims) ?? broadcast(inputs, dims);
        }
        if (ELEMENTWISE.has(op)) return broadcast(inputs, dims);
        if (RESHAPES.has(op)) return inputs[0] !== null && inputs[0].bits.length === size ? { dims, bits: inputs[0].bits.slice() } : all(inputs, dims);
        const x = inputs[0];
        if (op === 'Transpose' && x !== null) {
            const perm = at('perm') as number[] | undefined;
            if (perm === undefined || perm[0] !== 0) return all(inputs, dims);
            return transpose(x, perm.slice(1).map(q => q - 1), dims);
        }
        if (op === 'Gather') return this.gather(args, inputs, dims, (at('axis') as number | undefined) ?? 0) ?? all(inputs, dims);
        if (op === 'Slice' && x !== null) return this.slice(args, x, dims) ?? all(inputs, dims);
        if (op === 'Split' && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? 0, x.dims.length + 1);
            if (a === undefined) return all(inputs, dims);
            const before = (this.siblings.get(p.node) ?? []).filter(s => (s.producer!.outputIndex ?? 0) < (p.outputIndex ?? 0));
            let offset = 0;
            for (const s of before) {
                const d = this.dims(s.name);
                if (d === null) return all(inputs, dims);
                offset += d[a];
            }
            return window(x, a, offset, dims);
        }
        if (op === 'Concat') {
            const a = axis(at('axis') as number, dims.length + 1);
            if (a === undefined) return all(inputs, dims);
            const out = new Uint32Array(size);
            let offset = 0;
            for (const [k, arg] of args.entries()) {
                const d = this.dims(arg);
                const m = inputs[k];
                const info = this.graph.tensors.get(arg);
                if (d === null || info === undefined) return all(inputs, dims);
                // A tensor without the batch axis joined along the axis takes up room and depends on nothing.
                const width = this.perExample(info) === false ? d[a + d.length - dims.length] : d[a];
                if (m !== null) place(m, out, dims, a, offset);
                offset += width;
            }
            return { dims, bits: out };
        }
        if (op === 'MatMul') return matmul(inputs[0], inputs[1], dims) ?? all(inputs, dims);
        if ((op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax') && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? -1, x.dims.length + 1);
            return a === undefined ? all(inputs, dims) : orAlong(x, [a], dims, true);
        }
        if (op === 'LayerNormalization' && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? -1, x.dims.length + 1);
            if (a === undefined) return all(inputs, dims);
            return orAlong(x, x.dims.map((_, i) => i).filter(i => i >= a), dims, true);
        }
        if (REDUCTIONS.has(op) && x !== null && inputs.slice(1).every(m => m === null)) {
            const fromInput = args[1] ? this.graph.constants?.get(args[1]) : undefined;
            const raw = op.startsWith('Arg') ? [(at('axis') as number | undefined) ?? 0] : (at('axes') as number[] | undefined) ?? fromInput;
            if (raw === undefined) return all(inputs, dims);
            const axes = raw.map(a => axis(a, x.dims.length + 1));
            if (axes.some(a => a === undefined)) return all(inputs, dims);
            const keep = ((at('keepdims') as number | undefined) ?? 1) === 1;
            return orAlong(x, axes as number[], dims, keep);
        }
        return all(inputs, dims);
    }

    private gather(args: readonly string[], inputs: Mask[], dims: number[], axisAttr: number): Mask | undefined {
        const [data, indices] = inputs;
        const values = this.graph.constants?.get(args[1]);
        if (data !== null && indices === null && values !== undefined) {
            const a = perExampleAxis(axisAttr, data.dims.length + 1);
            const indexDims = this.dims(args[1]);
            if (a === undefined || indexDims === null) return undefined;
            const n = data.dims[a];
            const chosen = values.map(v => (v < 0 ? v + n : v));
            if (chosen.some(v => v < 0 || v >= n)) return undefined;
            const pre = data.dims.slice(0, a).reduce((x, y) => x * y, 1);
            const post = data.dims.slice(a + 1).reduce((x, y) => x * y, 1);
            const out = new Uint32Array(pre * chosen.length * post);
            if (out.length !== dims.reduce((x, y) => x * y, 1)) return undefined;
            for (let i = 0; i < pre; i++) {
                for (let k = 0; k < chosen.length; k++) {
                    const src = (i * n + chosen[k]) * post, dst = (i * chosen.length + k) * post;
                    out.set(data.bits.subarray(src, src + post), dst);
                }
            }
            return { dims, bits: out };
        }
        if (data === null && indices !== null && axisAttr === 0) {
            // An embedding: each output row depends on the index that chose it.
            const size = dims.reduce((x, y) => x * y, 1);
            const post = size / indices.bits.length;
            if (!Number.isInteger(post)) return undefined;
            const out = new Uint32Array(size);
            for (let e = 0; e < size; e++) out[e] = indices.bits[Math.floor(e / post)];
            return { dims, bits: out };
        }
        return undefined;
    }

    private slice(args: readonly string[], x: NonNullable<Mask>, dims: number[]): Mask | undefined {
        const c = (i: number) => (args[i] ? this.graph.constants?.get(args[i]) : undefined);
        const starts = c(1), ends = c(2);
        if (starts === undefined || ends === undefined) return undefined;
        const axes = args[3] ? c(3) : starts.map((_, i) => i);
        const steps = args[4] ? c(4) : starts.map(() => 1);
        if (axes === undefined || steps === undefined) return undefined;
        const start = x.dims.map(() => 0), step = x.dims.map(() => 1);
        for (const [k, raw] of axes.entries()) {
            const a = perExampleAxis(raw, x.dims.length + 1);
            if (a === undefined || steps[k] === 0) return undefined;
            const n = x.dims[a];
            let s = starts[k] < 0 ? starts[k] + n : starts[k];
            s = steps[k] > 0 ? Math.min(Math.max(s, 0), n) : Math.min(Math.max(s, -1), n - 1);
            start[a] = s;
            step[a] = steps[k];
        }
        const out = new Uint32Array(dims.reduce((a, b) => a * b, 1));
        const inStrides = strides(x.dims), outStrides = strides(dims);
        for (let e = 0; e < out.length; e++) {
            let src = 0;
            for (let a = 0; a < dims.length; a++) src += (start[a] + step[a] * (Math.floor(e / outStrides[a]) % dims[a])) * inStrides[a];
            if (src < 0 || src >= x.bits.length) return undefined;
            out[e] = x.bits[src];
        }
        return { dims, bits: out };
    }
}

/** A full-rank axis (batch axis 0) as an axis of one example; undefined for the batch axis itself. */
function perExampleAxis(a: number, fullRank: number): number | undefined {
    const n = a < 0 ? a + fullRank : a;
    return n >= 1 && n < fullRank ? n - 1 : undefined;
}

function strides(dims: readonly number[]): number[] {
    const s = dims.map(() => 1);
    for (let a = dims.length - 2; a >= 0; a--) s[a] = s[a + 1] * dims[a + 1];
    return s;
}

/** Element-wise with numpy broadcasting (right-aligned; every per-example tensor leads with the batch axis). */
function broadcast(inputs: readonly Mask[], dims: number[]): Mask {
    const size = dims.reduce((a, b) => a * b, 1);
    const out = new Uint32Array(size);
    const outStrides = strides(dims);
    for (const m of inputs) {
        if (m === null) continue;
        if (m.dims.length > dims.length) throw new Unknown();
        if (m.bits.length === size && m.dims.length === dims.length) {
            for (let e = 0; e < size; e++) out[e] |= m.bits[e];
            continue;
        }
        const shift = dims.length - m.dims.length;
        const inStrides = strides(m.dims);
        for (let e = 0; e < size; e++) {
            let src = 0;
            for (let a = 0; a < m.dims.length; a++) {
                if (m.dims[a] !== 1) src += (Math.floor(e / outStrides[a + shift]) % dims[a + shift]) * inStrides[a];
            }
            out[e] |= m.bits[src];
        }
    }
    return { dims, bits: out };
}

/** Where with a condition of known values (dims without the batch axis, right-aligned to one example's). */
function where(cond: readonly number[], condDims: number[], x: Mask, y: Mask, dims: number[]): Mask | undefined {
    // Leading axes of size 1 (the batch axis a constant mask keeps) broadcast away.
    let cd = condDims;
    while (cd.length > dims.length && cd[0] === 1) cd = cd.slice(1);
    if (cd.length > dims.length || cond.length !== cd.reduce((a, b) => a * b, 1)) return undefined;
    const c = broadcast([{ dims: cd, bits: Uint32Array.from(cond, v => (v !== 0 ? 1 : 0)) }], dims)!.bits;
    const bx = broadcast([x], dims)!.bits, by = broadcast([y], dims)!.bits;
    const out = new Uint32Array(c.length);
    for (let e = 0; e < c.length; e++) out[e] = c[e] ? bx[e] : by[e];
    return { dims, bits: out };
}

/** Every output element depends on every element of every input: the rule for ops without one. */
function all(inputs: readonly Mask[], dims: number[]): Mask {
    let bits = 0;
    for (const m of inputs) if (m !== null) for (const b of m.bits) bits |= b;
    return { dims, bits: new Uint32Array(dims.reduce((a, b) => a * b, 1)).fill(bits) };
}

function transpose(x: NonNullable<Mask>, perm: number[], dims: number[]): Mask {
    const out = new Uint32Array(x.bits.length);
    const inStrides = strides(x.dims), outStrides = strides(dims);
    for (let e = 0; e < out.length; e++) {
        let src = 0;
        for (let a = 0; a < dims.length; a++) src += (Math.floor(e / outStrides[a]) % dims[a]) * inStrides[perm[a]];
        out[e] = x.bits[src];
    }
    return { dims, bits: out };
}

/** The window [offset, offset + dims[a]) of x along axis a. */
function window(x: NonNullable<Mask>, a: number, offset: number, dims: number[]): Mask {
    const out = new Uint32Array(dims.reduce((p, q) => p * q, 1));
    const inStrides = strides(x.dims), outStrides = strides(dims);
    for (let e = 0; e < out.length; e++) {
        let src = 0;
        for (let k = 0; k < dims.length; k++) src += ((Math.floor(e / outStrides[k]) % dims[k]) + (k === a ? offset : 0)) * inStrides[k];
        out[e] = x.bits[src];
    }
    return { dims, bits: out };
}

/** Writes m into out (of dims) at offset along axis a. */
function place(m: NonNullable<Mask>, out: Uint32Array, dims: number[], a: number, offset: number): void {
    const inStrides = strides(m.dims), outStrides = strides(dims);
    for (let e = 0; e < m.bits.length; e++) {
        let dst = 0;
        for (let k = 0; k < m.dims.length; k++) dst += ((Math.floor(e / inStrides[k]) % m.dims[k]) + (k === a ? offset : 0)) * outStrides[k];
        out[dst] |= m.bits[e];
    }
}

/** OR over `axes`, broadcast back (keep) or dropped, into dims. */
function orAlong(x: NonNullable<Mask>, axes: number[], dims: number[], keep: boolean): Mask {
    const reducedDims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const reduced = new Uint32Array(reducedDims.reduce((a, b) => a * b, 1));
    const inStrides = strides(x.dims), rStrides = strides(reducedDims);
    for (let e = 0; e < x.bits.length; e++) {
        let dst = 0;
        for (let a = 0; a < x.dims.length; a++) if (!axes.includes(a)) dst += (Math.floor(e / inStrides[a]) % x.dims[a]) * rStrides[a];
        reduced[dst] |= x.bits[e];
    }
    if (!keep) {
        if (reduced.length !== dims.reduce((a, b) => a * b, 1)) throw new Unknown();
        return { dims, bits: reduced };
    }
    return broadcast([{ dims: reducedDims, bits: reduced }], dims);
}

/** out[..., i, j] depends on row i of A and column j of B (over the shared axis k). */
function matmul(a: Mask, b: Mask, dims: number[]): Mask | undefined {
    const parts: Mask[] = [];
    if (a !== null) {
        if (a.dims.length < 1) return undefined;
        // A row's OR over k, as [..., m, 1] (a vector A ([batch, k]) gives one value for every output element).
        const rows = a.dims.length === 1 ? orAlong(a, [0], [1], true) : orAlong(a, [a.dims.length - 1], [...a.dims.slice(0, -1), 1], true);
        parts.push(rows);
    }
    if (b !== null) {
        if (b.dims.length < 2) return undefined;
        parts.push(orAlong(b, [b.dims.length - 2], [...b.dims.slice(0, -2), 1, b.dims[b.dims.length - 1]], true));
    }
    try {
        return broadcast(parts, dims);
    } catch (e) {
        if (e instanceof Unknown) return undefined;
        throw e;
    }
}
