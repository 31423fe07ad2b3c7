// Which G node owns each element of a split tensor: `T = Σ_p mask_p ⊙ T_p` (DESIGN.md §2.1) is
// applied as "element i comes from the part that owns it", one lookup per element.
import { HypError } from '../errors.js';
import { coverageMask } from '../graph/coverage-mask.js';
import type { Coverage } from '../graph/types.js';

/**
 * For one example's element layout `dims` (no batch axis), the index into `coverages` of the
 * coverage owning each element. Coverages must partition the elements.
 */
export function partOwners(tensor: string, dims: readonly number[], coverages: readonly Coverage[]): Uint16Array {
    const size = dims.reduce((a, b) => a * b, 1);
    const owner = new Uint16Array(size).fill(0xffff);
    coverages.forEach((c, k) => {
        const mask = coverageMask(c, [1, ...dims]);
        for (let i = 0; i < size; i++) {
            if (mask[i] === 0) continue;
            if (owner[i] !== 0xffff) throw new HypError(`parts of ${tensor} overlap at element ${i}`, 'bad-split');
            owner[i] = k;
        }
    });
    const orphan = owner.indexOf(0xffff);
    if (orphan >= 0) throw new HypError(`element ${orphan} of ${tensor} belongs to no part`, 'bad-split');
    return owner;
}
