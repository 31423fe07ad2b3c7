// Dependency masks (graph/part-deps.ts): per element of one example of a tensor, a bit per parent G
// node it depends on, pushed through ops element by element. Alongside, where it is known, the
// element's value when it is the same whatever the parents hold (a causal mask's -inf, the exact
// 0 a softmax gives it): a product with such a zero reads nothing through that term, which makes
// att @ v after a causal softmax exact. "The same whatever the parents hold" assumes finite
// activations: 0 · v = 0 only for a finite v (a NaN or infinite activation is out of scope).

/**
 * A dependency mask; null when nothing depends on a parent (constants). `known[e]` is the value of
 * element e when it depends on no parent (NaN: not known); an element with a known value has no
 * bits. `inexact`: some rule on the way over-approximated (an op read as reading everything, a
 * product of two activations, a Where on a condition whose values are not known), so a bit may
 * stand for a dependency that is not there: the numeric pass (runtime/perturb-parts.ts) tests it.
 */
export type Mask = { dims: number[]; bits: Uint32Array; known?: Float64Array; inexact?: boolean } | null;

export class Unknown extends Error {}

export function sizeOf(dims: readonly number[]): number {
    return dims.reduce((a, b) => a * b, 1);
}

export function strides(dims: readonly number[]): number[] {
    const s = dims.map(() => 1);
    for (let a = dims.length - 2; a >= 0; a--) s[a] = s[a + 1] * dims[a + 1];
    return s;
}

/** The mask of elements copied from x: output element e is x's element src[e] (bits, known value and all). */
export function pick(x: NonNullable<Mask>, src: Int32Array, dims: number[]): NonNullable<Mask> {
    const bits = new Uint32Array(src.length);
    for (let e = 0; e < src.length; e++) bits[e] = x.bits[src[e]];
    const out: NonNullable<Mask> = { dims, bits, inexact: x.inexact };
    if (x.known !== undefined) {
        const known = new Float64Array(src.length);
        for (let e = 0; e < src.length; e++) known[e] = x.known[src[e]];
        out.known = known;
    }
    return out;
}

/** For numpy broadcasting of `from` (right-aligned) to `dims`: the source element of each output element. */
export function broadcastIndex(from: readonly number[], dims: readonly number[]): Int32Array {
    // Leading axes of size 1 beyond the output's rank (a constant that keeps the batch axis as 1) broadcast away.
    while (from.length > dims.length && from[0] === 1) from = from.slice(1);
    if (from.length > dims.length) throw new Unknown();
    const shift = dims.length - from.length;
    if (from.some((d, a) => d !== 1 && d !== dims[a + shift])) throw new Unknown();
    const size = sizeOf(dims);
    const src = new Int32Array(size);
    const outStrides = strides(dims), inStrides = strides(from);
    for (let e = 0; e < size; e++) {
        let s = 0;
        for (let a = 0; a < from.length; a++) if (from[a] !== 1) s += (Math.floor(e / outStrides[a + shift]) % dims[a + shift]) * inStrides[a];
        src[e] = s;
    }
    return src;
}

/** One mask broadcast to dims, values kept (an Expand, a Where's branch). */
export function spread(m: NonNullable<Mask>, dims: number[]): NonNullable<Mask> {
    return pick(m, broadcastIndex(m.dims, dims), dims);
}

/** Ops whose output element is its one input element's value. */
const VALUE_PRESERVING = new Set(['Identity', 'Expand', 'Dropout']);

/**
 * Element-wise with numpy broadcasting: each output element reads the elements it broadcasts
 * from. A product is a known 0 where a factor is (its other factors then read nothing there).
 */
export function broadcast(inputs: readonly Mask[], dims: number[], op = ''): NonNullable<Mask> {
    const present = inputs.filter((m): m is NonNullable<Mask> => m !== null);
    if (present.length === 1 && VALUE_PRESERVING.has(op)) return spread(present[0], dims);
    const size = sizeOf(dims);
    const out: NonNullable<Mask> = { dims, bits: new Uint32Array(size), inexact: present.some(m => m.inexact) };
    const spreadAll = present.map(m => (m.bits.length === size && m.dims.length === dims.length ? m : spread(m, dims)));
    for (const m of spreadAll) for (let e = 0; e < size; e++) out.bits[e] |= m.bits[e];
    if (op === 'Mul' && spreadAll.some(m => m.known !== undefined)) {
        const known = new Float64Array(size).fill(NaN);
        for (const m of spreadAll) {
            if (m.known === undefined) continue;
            for (let e = 0; e < size; e++) {
                if (m.known[e] === 0) {
                    known[e] = 0;
                    out.bits[e] = 0;
                }
            }
        }
        out.known = known;
    }
    return out;
}

/** Every output element depends on every element of every input: the rule for ops without one (inexact). */
export function all(inputs: readonly Mask[], dims: number[]): NonNullable<Mask> {
    let bits = 0;
    for (const m of inputs) if (m !== null) for (const b of m.bits) bits |= b;
    return { dims, bits: new Uint32Array(sizeOf(dims)).fill(bits), inexact: bits !== 0 || inputs.some(m => m?.inexact) };
}

/** Where with a condition of known values (right-aligned to one example's dims): each element reads the branch it takes. */
export function where(cond: readonly number[], condDims: number[], x: Mask, y: Mask, dims: number[]): Mask | undefined {
    // Leading axes of size 1 (the batch axis a constant mask keeps) broadcast away.
    let cd = condDims;
    while (cd.length > dims.length && cd[0] === 1) cd = cd.slice(1);
    if (cd.length > dims.length || cond.length !== sizeOf(cd)) return undefined;
    const c = spread({ dims: cd, bits: new Uint32Array(cond.length), known: Float64Array.from(cond) }, dims).known!;
    const size = sizeOf(dims);
    const empty: NonNullable<Mask> = { dims, bits: new Uint32Array(size) };
    const bx = x === null ? empty : spread(x, dims), by = y === null ? empty : spread(y, dims);
    const out: NonNullable<Mask> = { dims, bits: new Uint32Array(size), inexact: bx.inexact || by.inexact };
    const known = new Float64Array(size).fill(NaN);
    for (let e = 0; e < size; e++) {
        const from = c[e] !== 0 ? bx : by;
        out.bits[e] = from.bits[e];
        if (from.known !== undefined) known[e] = from.known[e];
    }
    if (known.some(v => !Number.isNaN(v))) out.known = known;
    return out;
}

/** A transpose of x (perm over one example's axes). */
export function transpose(x: NonNullable<Mask>, perm: number[], dims: number[]): NonNullable<Mask> {
    const src = new Int32Array(x.bits.length);
    const inStrides = strides(x.dims), outStrides = strides(dims);
    for (let e = 0; e < src.length; e++) {
        let s = 0;
        for (let a = 0; a < dims.length; a++) s += (Math.floor(e / outStrides[a]) % dims[a]) * inStrides[perm[a]];
        src[e] = s;
    }
    return pick(x, src, dims);
}

/** The window [offset, offset + dims[a]) of x along axis a. */
export function window(x: NonNullable<Mask>, a: number, offset: number, dims: number[]): NonNullable<Mask> {
    const src = new Int32Array(sizeOf(dims));
    const inStrides = strides(x.dims), outStrides = strides(dims);
    for (let e = 0; e < src.length; e++) {
        let s = 0;
        for (let k = 0; k < dims.length; k++) s += ((Math.floor(e / outStrides[k]) % dims[k]) + (k === a ? offset : 0)) * inStrides[k];
        src[e] = s;
    }
    return pick(x, src, dims);
}

/** Writes m into out (of dims) at offset along axis a (a Concat). */
export function place(m: NonNullable<Mask>, out: NonNullable<Mask>, a: number, offset: number): void {
    const inStrides = strides(m.dims), outStrides = strides(out.dims);
    if (m.known !== undefined && out.known === undefined) out.known = new Float64Array(out.bits.length).fill(NaN);
    if (m.inexact) out.inexact = true;
    for (let e = 0; e < m.bits.length; e++) {
        let dst = 0;
        for (let k = 0; k < m.dims.length; k++) dst += ((Math.floor(e / inStrides[k]) % m.dims[k]) + (k === a ? offset : 0)) * outStrides[k];
        out.bits[dst] |= m.bits[e];
        if (m.known !== undefined) out.known![dst] = m.known[e];
    }
}

/** OR over `axes`, broadcast back (keep) or dropped, into dims. */
export function orAlong(x: NonNullable<Mask>, axes: number[], dims: number[], keep: boolean): NonNullable<Mask> {
    const reducedDims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const reduced = new Uint32Array(sizeOf(reducedDims));
    const inStrides = strides(x.dims), rStrides = strides(reducedDims);
    for (let e = 0; e < x.bits.length; e++) {
        let dst = 0;
        for (let a = 0; a < x.dims.length; a++) if (!axes.includes(a)) dst += (Math.floor(e / inStrides[a]) % x.dims[a]) * rStrides[a];
        reduced[dst] |= x.bits[e];
    }
    if (!keep) {
        if (reduced.length !== sizeOf(dims)) throw new Unknown();
        return { dims, bits: reduced, inexact: x.inexact };
    }
    return spread({ dims: reducedDims, bits: reduced, inexact: x.inexact }, dims);
}

/**
 * Softmax along axis a: each element reads its whole lane, except that an element whose input is
 * a known -inf (a masked score) is exactly 0 and reads nothing, as long as its lane has an element
 * that is not (the row max is then finite and exp(-inf - max) = 0).
 */
export function softmax(x: NonNullable<Mask>, a: number, dims: number[]): NonNullable<Mask> {
    const out = orAlong(x, [a], dims, true);
    if (x.known === undefined || !x.known.some(v => v === -Infinity)) return out;
    const known = new Float64Array(out.bits.length).fill(NaN);
    const s = strides(x.dims), n = x.dims[a];
    for (let e = 0; e < known.length; e++) {
        if (x.known[e] !== -Infinity) continue;
        const first = e - (Math.floor(e / s[a]) % n) * s[a];
        let open = false;
        for (let i = 0; i < n && !open; i++) open = x.known[first + i * s[a]] !== -Infinity;
        if (open) {
            known[e] = 0;
            out.bits[e] = 0;
        }
    }
    out.known = known;
    return out;
}

/** Elements walked at most by the exact product below (batch · m · n · k). */
const MAX_EXACT_PRODUCT = 1 << 24;

/**
 * out[..., i, j] = Σ_k A[..., i, k] B[..., k, j]: it reads row i of A and column j of B, except
 * the terms where a factor is a known 0 (a masked attention weight), which read nothing. A
 * product of two activations is marked inexact: a factor may be zero on every example without
 * being known to be (an attention pattern given as a hook point).
 */
export function matmul(a: Mask, b: Mask, dims: number[]): Mask | undefined {
    if (a !== null && b !== null && a.dims.length >= 2 && b.dims.length >= 2 && (a.known !== undefined || b.known !== undefined)) {
        const exact = exactProduct(a, b, dims);
        if (exact !== undefined) return exact;
    }
    const parts: Mask[] = [];
    if (a !== null) {
        if (a.dims.length < 1) return undefined;
        // A row's OR over k, as [..., m, 1] (a vector A ([batch, k]) gives one value for every output element).
        parts.push(a.dims.length === 1 ? orAlong(a, [0], [1], true) : orAlong(a, [a.dims.length - 1], [...a.dims.slice(0, -1), 1], true));
    }
    if (b !== null) {
        if (b.dims.length < 2) return undefined;
        parts.push(orAlong(b, [b.dims.length - 2], [...b.dims.slice(0, -2), 1, b.dims[b.dims.length - 1]], true));
    }
    try {
        const out = broadcast(parts, dims);
        if (a !== null && b !== null) out.inexact = true;
        return out;
    } catch (e) {
        if (e instanceof Unknown) return undefined;
        throw e;
    }
}

function exactProduct(a: NonNullable<Mask>, b: NonNullable<Mask>, dims: number[]): Mask | undefined {
    const [m, k] = a.dims.slice(-2), [k2, n] = b.dims.slice(-2);
    const batchDims = dims.slice(0, -2);
    if (k !== k2 || dims.length < 2 || dims[dims.length - 2] !== m || dims[dims.length - 1] !== n) return undefined;
    const batch = sizeOf(batchDims);
    if (batch * m * n * k > MAX_EXACT_PRODUCT) return undefined;
    let aBatch: Int32Array, bBatch: Int32Array;
    try {
        aBatch = broadcastIndex(a.dims.slice(0, -2), batchDims);
        bBatch = broadcastIndex(b.dims.slice(0, -2), batchDims);
    } catch (e) {
        if (e instanceof Unknown) return undefined;
        throw e;
    }
    const bits = new Uint32Array(batch * m * n);
    const known = new Float64Array(bits.length).fill(NaN);
    for (let ob = 0; ob < batch; ob++) {
        const ao = aBatch[ob] * m * k, bo = bBatch[ob] * k * n;
        for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
                let read = 0, zero = k > 0;
                for (let q = 0; q < k; q++) {
                    const ae = ao + i * k + q, be = bo + q * n + j;
                    if (a.known?.[ae] === 0 || b.known?.[be] === 0) continue;
                    zero = false;
                    read |= a.bits[ae] | b.bits[be];
                }
                const e = (ob * m + i) * n + j;
                bits[e] = read;
                if (zero) known[e] = 0;
            }
        }
    }
    return { dims, bits, known, inexact: true };
}
