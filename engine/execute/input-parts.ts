// The raw value of an input G node (`input`, `input.z1`, `input.rest`) on one example, as features
// read it (DESIGN.md §2.2): the elements of the model input it owns, in order, as a flat list of
// numbers, taken from the very tensors the model is fed. The engine and the language's checks and
// hovers both compute it here, so a feature that `hyp check` evaluated is the feature scrub runs.
import { HypError } from '../errors.js';
import type { GraphG } from '../graph/types.js';
import type { FeatureValue } from '../spec.js';
import { partOwners } from './masks.js';
import { exampleSize } from './typed-arrays.js';
import type { ModelInputs } from './model-inputs.js';

/** Which G node (index into `g.nodesOfTensor(tensor)`) owns each element of one example of an input tensor. */
export type OwnersOf = (tensor: string) => Uint16Array;

/** Owners computed from G's coverages and the input's dims (the executor's runner computes the same). */
export function inputOwners(g: GraphG, inputs: ModelInputs): OwnersOf {
    const cache = new Map<string, Uint16Array>();
    return tensor => {
        let owner = cache.get(tensor);
        if (owner === undefined) {
            const coverages = g.nodesOfTensor(tensor).map(n => g.nodes.get(n)!.tensors.find(t => t.tensor === tensor)!.coverage);
            owner = partOwners(tensor, inputs.dims(tensor), coverages);
            cache.set(tensor, owner);
        }
        return owner;
    };
}

/** The input part's elements on `example`, always a list (a one-element part is `[x]`, so `input.z1[0]` reads it). */
export function inputPartValue(g: GraphG, inputs: ModelInputs, owners: OwnersOf, part: string, example: number): FeatureValue[] {
    const node = g.nodes.get(part);
    if (!node || node.kind !== 'input') throw new HypError(`"${part}" is not an input part`, 'unknown-input-part');
    const values: number[] = [];
    for (const { tensor } of node.tensors) {
        const act = inputs.batch(tensor, Int32Array.of(example));
        const all = g.nodesOfTensor(tensor);
        const k = all.indexOf(part);
        const owner = all.length > 1 ? owners(tensor) : undefined;
        for (let i = 0; i < exampleSize(act.dims); i++) {
            if (owner === undefined || owner[i] === k) values.push(Number(act.data[act.offset + i]));
        }
    }
    return values;
}
