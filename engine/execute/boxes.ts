// Copying boxes of one example's activation. A sliced local function returns a box of its tensor
// and reads boxes of its parents (graph/region-slice.ts), so the executor stacks, per request,
// the box a function reads out of sources that hold the whole tensor (clean activations) or a box
// of it (sliced outputs). Boxes here are per example: one range per axis, no batch axis.
import type { Range, Region } from '../graph/region.js';
import { exampleSize, type Activation, type NumericArray } from './model-runner.js';

export type Box = readonly Range[];

export function boxExtents(dims: readonly number[], box: Box): number[] {
    return dims.map((n, a) => (box[a] === null ? n : box[a]![1] - box[a]![0]));
}

export function isWholeBox(box: Box): boolean {
    return box.every(r => r === null);
}

/** `box` in the coordinates of a layout that holds `held` (a box of the same tensor). */
export function relativeBox(box: Box, held: Box | undefined): Box {
    if (held === undefined) return box;
    return box.map((r, a) => {
        const h = held[a];
        if (h === null) return r;
        return r === null ? [0, h[1] - h[0]] as const : [r[0] - h[0], r[1] - h[0]] as const;
    });
}

/**
 * The runs that make up `box` inside a row-major layout of `dims`: run r is `length` elements at
 * `src[r]` in the layout and `dst[r]` in the box's own row-major layout. Trailing axes the box
 * covers whole are one run.
 */
export interface BoxRows {
    src: Int32Array;
    dst: Int32Array;
    length: number;
}

export function boxRows(dims: readonly number[], box: Box): BoxRows {
    const rank = dims.length;
    // Axis j is the innermost one the box cuts: runs span it and everything after.
    let j = rank - 1;
    while (j > 0 && box[j] === null) j--;
    let inner = 1;
    for (let a = j + 1; a < rank; a++) inner *= dims[a];
    const extents = boxExtents(dims, box);
    const length = rank === 0 ? 1 : extents[j] * inner;
    const strides = new Array<number>(rank).fill(1);
    for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * dims[a + 1];
    let rows = 1;
    for (let a = 0; a < j; a++) rows *= extents[a];
    const src = new Int32Array(rows), dst = new Int32Array(rows);
    const index = new Array<number>(Math.max(j, 0)).fill(0);
    const start = (a: number) => (box[a] === null ? 0 : box[a]![0]);
    for (let r = 0; r < rows; r++) {
        let off = rank === 0 ? 0 : start(j) * strides[j];
        for (let a = 0; a < j; a++) off += (start(a) + index[a]) * strides[a];
        src[r] = off;
        dst[r] = r * length;
        for (let a = j - 1; a >= 0; a--) {
            if (++index[a] < extents[a]) break;
            index[a] = 0;
        }
    }
    return { src, dst, length };
}

/** Copies runs from `src` (from `srcBase`) to `dst` (from `dstBase`). */
export function copyRows(dst: NumericArray, dstBase: number, src: NumericArray, srcBase: number, rows: BoxRows): void {
    const n = rows.length;
    for (let r = 0; r < rows.src.length; r++) copyRun(dst, dstBase + rows.dst[r], src, srcBase + rows.src[r], n);
}

// Below this many elements a loop beats a subarray view and `set` (a view is an allocation); at
// 56 floats (one position of paren's residual stream) `set` took two thirds of the loop's time.
const SHORT_RUN = 32;

/**
 * Copies `n` elements from `src` at `from` to `dst` at `to`. Every dtype went through one loop
 * before, so V8 compiled it for all of them and each element access dispatched on the array's
 * kind: three times slower than the float32-only loop, where a scrub stacks tens of millions of
 * floats in runs of tens (paren's all_claims: 57 million a scrub of 2,000 roots).
 */
export function copyRun(dst: NumericArray, to: number, src: NumericArray, from: number, n: number): void {
    if (n >= SHORT_RUN) (dst as Float32Array).set((src as Float32Array).subarray(from, from + n), to);
    else if (dst instanceof Float32Array && src instanceof Float32Array) copyFloat32(dst, to, src, from, n);
    else for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}

function copyFloat32(dst: Float32Array, to: number, src: Float32Array, from: number, n: number): void {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}

/**
 * The elements of `box` grouped by owning part, in the box's row-major order: segment k is
 * `length[k]` elements at `dst[k]` in the box's layout, owned by part `owner[k]`, starting at
 * `full[k]` in the whole tensor's layout and at multi-index `index[k·rank …]`. `merged` runs span
 * rows wherever they stay contiguous in the whole layout (for sources holding the whole tensor);
 * `rows` never cross a row of the last axis (for sources holding a box of it).
 */
export interface Segments {
    dst: Int32Array;
    length: Int32Array;
    owner: Uint16Array;
    full: Int32Array;
    index: Int32Array;
}

export function boxSegments(owners: Uint16Array, dims: readonly number[], box: Box): { merged: Segments; rows: Segments } {
    const rank = dims.length;
    const strides = new Array<number>(rank).fill(1);
    for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * dims[a + 1];
    const extents = boxExtents(dims, box);
    const lo = box.map(r => (r === null ? 0 : r[0]));
    const total = extents.reduce((x, y) => x * y, 1);
    const build = (crossRows: boolean): Segments => {
        const dst: number[] = [], length: number[] = [], owner: number[] = [], full: number[] = [], index: number[] = [];
        const idx = new Array<number>(rank).fill(0);
        let prevFull = -2;
        for (let e = 0; e < total; e++) {
            let f = 0;
            for (let a = 0; a < rank; a++) f += (lo[a] + idx[a]) * strides[a];
            const k = owners[f];
            const last = length.length - 1;
            const rowStart = rank > 0 && idx[rank - 1] === 0;
            if (last >= 0 && owner[last] === k && f === prevFull + 1 && (crossRows || !rowStart)) {
                length[last]++;
            } else {
                dst.push(e); length.push(1); owner.push(k); full.push(f); index.push(...idx);
            }
            prevFull = f;
            for (let a = rank - 1; a >= 0; a--) {
                if (++idx[a] < extents[a]) break;
                idx[a] = 0;
            }
        }
        return { dst: Int32Array.from(dst), length: Int32Array.from(length), owner: Uint16Array.from(owner), full: Int32Array.from(full), index: Int32Array.from(index) };
    };
    return { merged: build(true), rows: build(false) };
}

/** Where multi-index `index[k·rank …]` lies in a layout holding box `held` of a tensor of `dims`. */
export function offsetIn(held: Box, dims: readonly number[], index: Int32Array, k: number, lo: readonly number[]): number {
    const rank = dims.length;
    let off = 0, stride = 1;
    for (let a = rank - 1; a >= 0; a--) {
        const h = held[a];
        const i = index[k * rank + a] + lo[a];
        off += (h === null ? i : i - h[0]) * stride;
        stride *= h === null ? dims[a] : h[1] - h[0];
    }
    return off;
}

/** The largest difference between `got` (region `region` of the tensor) and that region of `want`, where beyond float32 rounding of a few ops. */
export function regionMismatch(got: Activation, want: Activation, region: Region): number | undefined {
    const batch = want.data.length / exampleSize(want.dims);
    const full = [batch, ...want.dims];
    const box = boxExtents(full, region);
    const rows = boxRows(full, region);
    let worst: number | undefined;
    for (let r = 0; r < rows.src.length; r++) {
        for (let i = 0; i < rows.length; i++) {
            const a = Number(got.data[got.offset + rows.dst[r] + i]), b = Number(want.data[want.offset + rows.src[r] + i]);
            const diff = Math.abs(a - b);
            if (!(diff <= 1e-4 + 1e-4 * Math.abs(b))) worst = Math.max(worst ?? 0, Number.isNaN(diff) ? Infinity : diff);
        }
    }
    if (exampleSize(box) !== got.data.length - got.offset) return Infinity;
    return worst;
}

/** `count` stacked whole activations cut down to `region` each (batch axis first); unchanged when whole. */
export function cropBatch(act: Activation, count: number, region: Region | undefined): Activation {
    if (region === undefined || region.every(r => r === null)) return act;
    const full = [count, ...act.dims];
    const rows = boxRows(full, region);
    const extents = boxExtents(full, region);
    const data = new (act.data.constructor as new (n: number) => NumericArray)(exampleSize(extents));
    copyRows(data, 0, act.data, act.offset, rows);
    return { data, offset: 0, dims: extents.slice(1) };
}
