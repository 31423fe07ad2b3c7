// Box copies (engine/execute/boxes.ts) against element-by-element references on small tensors.
import { describe, expect, it } from 'vitest';
import { boxExtents, boxRows, boxSegments, copyRows, copyRun, offsetIn, relativeBox, type Box } from '../../engine/execute/boxes.js';

/** Row-major flat index of a multi-index. */
function flat(dims: readonly number[], index: readonly number[]): number {
    return index.reduce((off, i, a) => off * dims[a] + i, 0);
}

/** Every multi-index of a box, in row-major order, in the whole tensor's coordinates. */
function* indices(dims: readonly number[], box: Box): Generator<number[]> {
    const ext = boxExtents(dims, box);
    const lo = box.map(r => (r === null ? 0 : r[0]));
    const total = ext.reduce((a, b) => a * b, 1);
    for (let e = 0; e < total; e++) {
        const idx: number[] = [];
        let rest = e;
        for (let a = dims.length - 1; a >= 0; a--) { idx.unshift(lo[a] + (rest % ext[a])); rest = Math.floor(rest / ext[a]); }
        yield idx;
    }
}

const dims = [3, 4, 5];
const boxes: Box[] = [
    [null, null, null],
    [[1, 2], null, null],
    [null, [1, 3], null],
    [null, null, [2, 3]],
    [[0, 2], [3, 4], [1, 4]],
];

describe('box rows', () => {
    it('copies exactly the elements of the box, in its row-major order', () => {
        const src = Float32Array.from({ length: 60 }, (_, i) => i);
        for (const box of boxes) {
            const rows = boxRows(dims, box);
            const size = boxExtents(dims, box).reduce((a, b) => a * b, 1);
            const dst = new Float32Array(size + 2).fill(-1);
            copyRows(dst, 1, src, 0, rows);
            expect([...dst.subarray(1, size + 1)]).toEqual([...indices(dims, box)].map(i => flat(dims, i)));
            expect(dst[0]).toBe(-1);
            expect(dst[size + 1]).toBe(-1);
        }
    });

    it('joins trailing axes the box covers whole into one run', () => {
        expect(boxRows(dims, [[1, 2], null, null]).src.length).toBe(1);
        expect(boxRows(dims, [null, [1, 3], null]).src.length).toBe(3);
        expect(boxRows(dims, [null, null, [2, 3]]).length).toBe(1);
    });

    it('reads a box out of a layout that holds a bigger box', () => {
        const held: Box = [null, [1, 4], [1, 5]];
        const heldDims = boxExtents(dims, held);
        // The held layout stores whole-tensor flat indices, so the copy can be checked.
        const src = Float32Array.from([...indices(dims, held)].map(i => flat(dims, i)));
        const box: Box = [[2, 3], [3, 4], [1, 3]];
        const rows = boxRows(heldDims, relativeBox(box, held));
        const dst = new Float32Array(2);
        copyRows(dst, 0, src, 0, rows);
        expect([...dst]).toEqual([...indices(dims, box)].map(i => flat(dims, i)));
    });
});

describe('run copies', () => {
    // Short runs take a loop (float32's own, or the generic one), long ones a view and set.
    const kinds = [Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array, Uint16Array, Int16Array] as const;
    it.each(kinds.map(k => [k.name, k] as const))('copies %s runs of every length, and nothing around them', (_, Kind) => {
        const value = (i: number) => (Kind === BigInt64Array ? BigInt(i) : i);
        for (const n of [0, 1, 5, 31, 32, 33, 56, 100]) {
            const src = new Kind(n + 10) as unknown as Float32Array;
            for (let i = 0; i < src.length; i++) src[i] = value(i + 1) as number;
            const dst = new Kind(n + 7) as unknown as Float32Array;
            copyRun(dst, 3, src, 6, n);
            for (let i = 0; i < dst.length; i++) expect(dst[i]).toEqual(i >= 3 && i < 3 + n ? value(i + 4) : value(0));
        }
    });
});

describe('box segments', () => {
    // Parts by position on axis 1 (two parts), as a split hook point makes them.
    const owners = Uint16Array.from({ length: 60 }, (_, f) => (Math.floor(f / 5) % 4 === 1 ? 0 : 1));

    it('covers the box element by element with each element\'s owner, in both forms', () => {
        for (const box of boxes) {
            const seg = boxSegments(owners, dims, box);
            const want = [...indices(dims, box)].map(i => ({ full: flat(dims, i), owner: owners[flat(dims, i)] }));
            for (const s of [seg.merged, seg.rows]) {
                const got: { full: number; owner: number }[] = [];
                for (let k = 0; k < s.dst.length; k++) {
                    expect(s.dst[k]).toBe(got.length);
                    for (let i = 0; i < s.length[k]; i++) got.push({ full: s.full[k] + i, owner: s.owner[k] });
                }
                expect(got).toEqual(want);
            }
            // Row segments never cross a row of the last axis.
            for (let k = 0; k < seg.rows.dst.length; k++) {
                const first = seg.rows.index[k * 3 + 2];
                expect(first + seg.rows.length[k]).toBeLessThanOrEqual(boxExtents(dims, box)[2]);
            }
        }
    });

    it('locates a row segment in a source that holds only a box of the tensor', () => {
        const box: Box = [null, [0, 3], null];
        const seg = boxSegments(owners, dims, box);
        const held: Box = [null, [1, 2], null];
        const heldDims = boxExtents(dims, held);
        const lo = box.map(r => (r === null ? 0 : r[0]));
        for (let k = 0; k < seg.rows.dst.length; k++) {
            if (seg.rows.owner[k] !== 0) continue;
            const index = [0, 1, 2].map(a => seg.rows.index[k * 3 + a] + lo[a]);
            const rel = index.map((i, a) => i - (held[a] === null ? 0 : held[a]![0]));
            expect(offsetIn(held, dims, seg.rows.index, k, lo)).toBe(flat(heldDims, rel));
        }
    });
});
