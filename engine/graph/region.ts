// Regions of a tensor: a box of index ranges, one per axis. A local function asked for a region of
// its output computes only what that box needs (region-slice.ts); the executor asks each request
// for the box its consumers read (a part's box within what the consumers' local functions read).

/** [start, end) along one axis, or null for the whole axis. */
export type Range = readonly [number, number] | null;

/** One range per axis of the tensor, batch axis included (always null there). */
export type Region = readonly Range[];

export function wholeRegion(rank: number): Region {
    return new Array<Range>(rank).fill(null);
}

export function isWhole(region: Region): boolean {
    return region.every(r => r === null);
}

/** The smallest box holding both (a whole axis in either stays whole). */
export function hull(a: Region, b: Region): Region {
    return a.map((r, i) => {
        const s = b[i];
        return r === null || s === null ? null : [Math.min(r[0], s[0]), Math.max(r[1], s[1])] as const;
    });
}

/** The overlap of two boxes, or undefined when they do not overlap. */
export function intersect(a: Region, b: Region): Region | undefined {
    const out: Range[] = [];
    for (let i = 0; i < a.length; i++) {
        const r = a[i], s = b[i];
        if (r === null) out.push(s);
        else if (s === null) out.push(r);
        else {
            const lo = Math.max(r[0], s[0]), hi = Math.min(r[1], s[1]);
            if (lo >= hi) return undefined;
            out.push([lo, hi]);
        }
    }
    return out;
}

/** A range covering a whole axis (of a fixed size) is written as the whole axis: null. */
export function normalise(region: Region, dims: readonly (number | null)[]): Region {
    return region.map((r, i) => (r !== null && r[0] <= 0 && dims[i] !== null && r[1] >= dims[i]! ? null : r));
}

export function sameRegion(a: Region, b: Region): boolean {
    return a.length === b.length && a.every((r, i) => {
        const s = b[i];
        return r === null ? s === null : s !== null && r[0] === s[0] && r[1] === s[1];
    });
}

export function regionKey(region: Region): string {
    return region.map(r => (r === null ? '*' : `${r[0]}:${r[1]}`)).join(',');
}

/**
 * Each part's bounding box in a tensor whose per-example elements are owned as `owners` says
 * (row-major over `dims`, one example, no batch axis), as regions with the batch axis first.
 */
export function partBoxes(owners: Uint16Array, dims: readonly number[], parts: number): (Region | undefined)[] {
    const rank = dims.length;
    const lo = Array.from({ length: parts }, () => new Array<number>(rank).fill(Infinity));
    const hi = Array.from({ length: parts }, () => new Array<number>(rank).fill(-Infinity));
    const index = new Array<number>(rank).fill(0);
    for (let e = 0; e < owners.length; e++) {
        const k = owners[e];
        if (k < parts) {
            for (let a = 0; a < rank; a++) {
                if (index[a] < lo[k][a]) lo[k][a] = index[a];
                if (index[a] > hi[k][a]) hi[k][a] = index[a];
            }
        }
        for (let a = rank - 1; a >= 0; a--) {
            if (++index[a] < dims[a]) break;
            index[a] = 0;
        }
    }
    return lo.map((l, k) => l[0] === Infinity ? undefined
        : normalise([null, ...l.map((s, a) => [s, hi[k][a] + 1] as const)], [null, ...dims]));
}
