// Part-level G edges (DESIGN.md §2.1): part q of a parent is a G-parent of part p of a child only
// when some element of p depends on some element of q. Found structurally: each element of one
// example of every tensor between the parents and the child carries the set of parent G nodes it
// depends on (a bit each), pushed through the local function op by op (graph/dep-mask.ts).
// Element-wise ops with broadcasting, Gather, Slice, Split, Concat, Reshape, Transpose, Tile, MatMul,
// Softmax, LayerNorm and reductions are followed element by element, and so are values known
// whatever the parents hold (a causal mask's -inf, the softmax's exact 0 there, a product's term
// with that 0); any other op makes each output element depend on every input element, so the
// edges found are never fewer than the real ones. Where a rule over-approximated, the result says
// so (`inexact`): the numeric pass (runtime/perturb-parts.ts) then tests the edges on data. Needs
// each tensor's per-example shape (declared, or from the probe run) and whether it carries the
// batch axis.
import { coverageMask } from './coverage-mask.js';
import { all, broadcast, matmul, orAlong, pick, place, sizeOf, softmax, strides, transpose, Unknown, where, window, type Mask } from './dep-mask.js';
import type { Coverage, GNode, ModelGraph, TensorInfo } from './types.js';

/** At most this many parent G nodes (bits) per child tensor, and elements walked per child tensor. */
const MAX_PARENT_NODES = 32;
const MAX_ELEMENTS = 1 << 23;

/** A child tensor's part-level parents, and whether some rule on the way over-approximated them. */
export interface PartDependencies {
    /** Child G node → the parent G nodes some element of it depends on (structurally). */
    parts: Map<string, string[]>;
    /** An over-approximating rule fed the child: an edge of `parts` may not be real (test it numerically). */
    inexact: boolean;
}

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
    nodesOfTensor: (t: string) => readonly string[], nodes: ReadonlyMap<string, GNode>): PartDependencies | undefined {
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
        return { parts: result, inexact: out?.inexact === true };
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
        const size = sizeOf(dims);
        this.elements += size;
        if (this.elements > MAX_ELEMENTS) throw new Unknown();
        const at = (name: string) => p.attributes?.[name];
        const axis = (a: number, rank: number) => perExampleAxis(a, rank);
        const op = p.op;
        if (op === 'Where') {
            // A known condition (a causal mask): each element reads the branch it takes, and a
            // constant branch's values are known (the mask's -inf).
            const cond = inputs[0] === null ? this.graph.constants?.get(args[0]) : undefined;
            const condDims = this.graph.tensors.get(args[0])?.shape;
            if (cond !== undefined && condDims?.every(d => typeof d === 'number')) {
                const exact = where(cond, condDims as number[], inputs[1] ?? this.constant(args[1]), inputs[2] ?? this.constant(args[2]), dims);
                if (exact !== undefined) return exact;
            }
            // A condition fixed for every example but of values not read reads one branch per element: inexact.
            const out = broadcast(inputs, dims);
            if (inputs[0] === null) out.inexact = true;
            return out;
        }
        if (ELEMENTWISE.has(op)) return broadcast(inputs, dims, op);
        if (RESHAPES.has(op)) {
            const x = inputs[0];
            return x !== null && x.bits.length === size ? { ...x, dims } : all(inputs, dims);
        }
        const x = inputs[0];
        if (op === 'Transpose' && x !== null) {
            const perm = at('perm') as number[] | undefined;
            if (perm === undefined || perm[0] !== 0) return all(inputs, dims);
            return transpose(x, perm.slice(1).map(q => q - 1), dims);
        }
        if (op === 'Tile' && x !== null) return this.tile(args, x, dims) ?? all(inputs, dims);
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
            const out: NonNullable<Mask> = { dims, bits: new Uint32Array(size) };
            let offset = 0;
            for (const [k, arg] of args.entries()) {
                const d = this.dims(arg);
                const m = inputs[k];
                const info = this.graph.tensors.get(arg);
                if (d === null || info === undefined) return all(inputs, dims);
                // A tensor without the batch axis joined along the axis takes up room and depends on nothing.
                const width = this.perExample(info) === false ? d[a + d.length - dims.length] : d[a];
                if (m !== null) place(m, out, a, offset);
                offset += width;
            }
            return out;
        }
        if (op === 'MatMul') return matmul(inputs[0], inputs[1], dims) ?? all(inputs, dims);
        if (op === 'Softmax' && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? -1, x.dims.length + 1);
            return a === undefined ? all(inputs, dims) : softmax(x, a, dims);
        }
        if ((op === 'LogSoftmax' || op === 'Hardmax') && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? -1, x.dims.length + 1);
            return a === undefined ? all(inputs, dims) : orAlong(x, [a], dims, true);
        }
        if (op === 'LayerNormalization' && x !== null) {
            const a = axis((at('axis') as number | undefined) ?? -1, x.dims.length + 1);
            if (a === undefined) return all(inputs, dims);
            const out = orAlong(x, x.dims.map((_, i) => i).filter(i => i >= a), dims, true);
            if (inputs.slice(1).some(m => m !== null)) return broadcast([out, ...inputs.slice(1)], dims);
            return out;
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

    /** A constant's mask: no bits, and its values when they are known (a Where's -inf branch). */
    private constant(t: string): Mask {
        const values = this.graph.constants?.get(t);
        const dims = this.dims(t);
        if (values === undefined || dims === null || values.length !== sizeOf(dims)) return null;
        return { dims, bits: new Uint32Array(values.length), known: Float64Array.from(values) };
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
            const pre = sizeOf(data.dims.slice(0, a));
            const post = sizeOf(data.dims.slice(a + 1));
            const src = new Int32Array(pre * chosen.length * post);
            if (src.length !== sizeOf(dims)) return undefined;
            for (let i = 0; i < pre; i++) {
                for (let k = 0; k < chosen.length; k++) {
                    for (let j = 0; j < post; j++) src[(i * chosen.length + k) * post + j] = (i * n + chosen[k]) * post + j;
                }
            }
            return pick(data, src, dims);
        }
        if (data === null && indices !== null && axisAttr === 0) {
            // An embedding: each output row depends on the index that chose it.
            const size = sizeOf(dims);
            const post = size / indices.bits.length;
            if (!Number.isInteger(post)) return undefined;
            const out = new Uint32Array(size);
            for (let e = 0; e < size; e++) out[e] = indices.bits[Math.floor(e / post)];
            return { dims, bits: out, inexact: indices.inexact };
        }
        return undefined;
    }

    /** Tile: output element e copies the input element at e's coordinates modulo the input's dims. */
    private tile(args: readonly string[], x: NonNullable<Mask>, dims: number[]): Mask | undefined {
        const repeats = args[1] ? this.graph.constants?.get(args[1]) : undefined;
        if (repeats === undefined || repeats.length !== x.dims.length + 1 || repeats[0] !== 1) return undefined;
        if (dims.some((d, a) => d !== x.dims[a] * repeats[a + 1])) return undefined;
        const src = new Int32Array(sizeOf(dims));
        const inStrides = strides(x.dims), outStrides = strides(dims);
        for (let e = 0; e < src.length; e++) {
            let s = 0;
            for (let a = 0; a < dims.length; a++) s += ((Math.floor(e / outStrides[a]) % dims[a]) % x.dims[a]) * inStrides[a];
            src[e] = s;
        }
        return pick(x, src, dims);
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
        const src = new Int32Array(sizeOf(dims));
        const inStrides = strides(x.dims), outStrides = strides(dims);
        for (let e = 0; e < src.length; e++) {
            let s = 0;
            for (let a = 0; a < dims.length; a++) s += (start[a] + step[a] * (Math.floor(e / outStrides[a]) % dims[a])) * inStrides[a];
            if (s < 0 || s >= x.bits.length) return undefined;
            src[e] = s;
        }
        return pick(x, src, dims);
    }
}

/** A full-rank axis (batch axis 0) as an axis of one example; undefined for the batch axis itself. */
function perExampleAxis(a: number, fullRank: number): number | undefined {
    const n = a < 0 ? a + fullRank : a;
    return n >= 1 && n < fullRank ? n - 1 : undefined;
}

