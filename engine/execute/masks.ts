// Which G node owns each element of a split tensor: `T = Σ_p mask_p ⊙ T_p` (DESIGN.md §2.1) is
// applied as "element i comes from the part that owns it".
import { HypError } from '../errors.js';
import type { Coverage } from '../graph/types.js';
import { compileIndexPredicate } from '../graph/index-predicate.js';
import type { PartSpec } from '../spec.js';

/**
 * For one example's element layout `dims` (no batch axis), the index into `coverages` of the
 * coverage owning each element. Coverages must partition the elements.
 */
export function partOwners(tensor: string, dims: readonly number[], coverages: readonly Coverage[]): Uint16Array {
    const size = dims.reduce((a, b) => a * b, 1);
    const owner = new Uint16Array(size).fill(0xffff);
    const restIndex = coverages.findIndex(c => c.kind === 'rest' || c.kind === 'all');
    coverages.forEach((c, k) => {
        if (c.kind !== 'part') return;
        const test = partTest(tensor, c.part, c.axis, dims);
        for (let i = 0; i < size; i++) {
            if (test(coordinates(dims, i))) {
                if (owner[i] !== 0xffff) throw new HypError(`parts of ${tensor} overlap at element ${i}`, 'bad-split');
                owner[i] = k;
            }
        }
    });
    for (let i = 0; i < size; i++) {
        if (owner[i] === 0xffff) {
            if (restIndex < 0) throw new HypError(`element ${i} of ${tensor} belongs to no part`, 'bad-split');
            owner[i] = restIndex;
        }
    }
    return owner;
}

/** Coordinates of flat element `i` of an example whose layout is `dims`. */
function coordinates(dims: readonly number[], i: number): number[] {
    const coords = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
        coords[d] = i % dims[d];
        i = Math.floor(i / dims[d]);
    }
    return coords;
}

/** Whether an element (by its coordinates in one example) belongs to the part. */
function partTest(tensor: string, part: PartSpec, axis: number | undefined, dims: readonly number[]): (coords: number[]) => boolean {
    if ('indices' in part) {
        // Axes count the batch axis as 0; an example's layout starts at axis 1.
        const a = (axis ?? 1) - 1;
        const wanted = new Set(part.indices.map(ix => (ix < 0 ? ix + dims[a] : ix)));
        return coords => wanted.has(coords[a]);
    }
    const compiled = compileIndexPredicate(part.predicate, part.vars);
    if ('error' in compiled) throw new HypError(`part ${part.name} of ${tensor}: ${compiled.error}`, 'bad-split');
    return coords => compiled.test(part.axes.map(ax => coords[ax - 1]));
}
