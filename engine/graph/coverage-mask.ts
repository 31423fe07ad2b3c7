// Which elements of one example's tensor a G node covers, as a 0/1 mask (a split tensor is
// Σ_p mask_p ⊙ T_p, DESIGN.md §2.1). The split checks use it to find empty and overlapping parts
// and to decide whether a `.rest` part exists.
import type { PartSpec } from '../spec.js';
import { compileIndexPredicate } from './index-predicate.js';
import type { Coverage } from './types.js';

/**
 * The mask of a coverage over one example: shape `dims.slice(1)` (dims include the batch axis),
 * row-major, 1 where covered; broadcast it over the batch.
 */
export function coverageMask(coverage: Coverage, dims: readonly number[]): Uint8Array {
    const size = dims.slice(1).reduce((a, b) => a * b, 1);
    const mask = new Uint8Array(size);
    if (coverage.kind === 'all') return mask.fill(1);
    if (coverage.kind === 'part') {
        fillPart(mask, coverage.part, coverage.axis, dims, 1);
        return mask;
    }
    mask.fill(1);
    for (const p of coverage.split.parts) fillPart(mask, p, coverage.split.axis, dims, 0);
    return mask;
}

/** Sets `mask[e] = value` for every element `e` the part covers. */
function fillPart(mask: Uint8Array, part: PartSpec, axis: number | undefined, dims: readonly number[], value: number): void {
    const strides = stridesOf(dims);
    const at = (e: number, a: number) => Math.floor(e / strides[a]) % dims[a];
    if ('indices' in part) {
        if (axis === undefined) throw new Error(`part ${part.name}: an index-set part needs the split's axis`);
        const n = dims[axis];
        const chosen = new Set(part.indices.map(i => i < 0 ? i + n : i));
        for (let e = 0; e < mask.length; e++) if (chosen.has(at(e, axis))) mask[e] = value;
        return;
    }
    const p = compileIndexPredicate(part.predicate, part.vars);
    if ('error' in p) throw new Error(`part ${part.name}: ${p.error}`);
    const idx = new Array<number>(part.axes.length);
    for (let e = 0; e < mask.length; e++) {
        for (let k = 0; k < part.axes.length; k++) idx[k] = at(e, part.axes[k]);
        if (p.test(idx)) mask[e] = value;
    }
}

/** Row-major strides of one example (the batch axis gets stride 0: it is not in the mask). */
function stridesOf(dims: readonly number[]): number[] {
    const s = new Array<number>(dims.length).fill(0);
    let acc = 1;
    for (let a = dims.length - 1; a >= 1; a--) {
        s[a] = acc;
        acc *= dims[a];
    }
    return s;
}
