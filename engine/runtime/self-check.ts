// The local-function self-check: every computed tensor, recomputed by its local function from its
// parents' clean activations, must equal its clean activation. A mismatch means the cut-out
// sub-graph is not the computation the model does (a missed edge, a stateful or random op), and
// every scrubbing result built on it would be wrong, so it stops the run.
import { HypError } from '../errors.js';
import type { Activation, ModelRunner } from '../execute/model-runner.js';
import { cutParents, type CleanCut } from '../graph/clean-cut.js';
import type { GraphG } from '../graph/types.js';

export interface SelfCheckTolerance {
    absolute: number;
    relative: number;
}

/** Agreement to float32 rounding of a few ops; exact for integer tensors. */
export const DEFAULT_TOLERANCE: SelfCheckTolerance = { absolute: 1e-5, relative: 1e-5 };

/**
 * Runs the model once on `examples` for every computed tensor and its parents, then each local
 * function on those parents; returns the largest absolute difference per computed tensor, and
 * throws a HypError naming the first tensor off by more than `tolerance`.
 */
export async function selfCheckLocalFunctions(runner: Pick<ModelRunner, 'clean' | 'local'>, g: GraphG, examples: Int32Array,
    tolerance: SelfCheckTolerance = DEFAULT_TOLERANCE, cuts: ReadonlyMap<string, readonly CleanCut[]> = new Map()): Promise<Map<string, number>> {
    // Each local function as G gives it, then with each of its clean cuts alone and all together.
    const variants: { tensor: string; parents: readonly string[] }[] = [];
    for (const tensor of g.computedTensors) {
        const parents = g.tensorParents(tensor);
        variants.push({ tensor, parents });
        const tensorCuts = cuts.get(tensor) ?? [];
        const masks = new Set(tensorCuts.map((_, i) => 1 << i));
        if (tensorCuts.length > 0) masks.add(2 ** tensorCuts.length - 1);
        for (const mask of masks) variants.push({ tensor, parents: cutParents(parents, tensorCuts, mask) });
    }
    const needed = new Set<string>();
    for (const v of variants) {
        needed.add(v.tensor);
        for (const p of v.parents) needed.add(p);
    }
    const clean = await runner.clean(examples, [...needed]);
    const result = new Map<string, number>();
    for (const { tensor, parents } of variants) {
        const local = await runner.local(tensor, parents, parents.map(p => clean.get(p)!));
        result.set(tensor, Math.max(result.get(tensor) ?? 0, compare(tensor, local, clean.get(tensor)!, examples, tolerance)));
    }
    return result;
}

/** The largest |local − clean| over the batch; throws when an element is outside the tolerance. */
function compare(tensor: string, local: Activation, clean: Activation, examples: Int32Array, tol: SelfCheckTolerance): number {
    if (local.dims.join(',') !== clean.dims.join(',')) {
        throw mismatch(tensor, `its local function gives shape [${local.dims.join(', ')}] per example, the model [${clean.dims.join(', ')}]`);
    }
    const size = local.dims.reduce((a, b) => a * b, 1);
    let worst = 0;
    for (let i = 0; i < examples.length * size; i++) {
        const a = Number(local.data[local.offset + i]);
        const b = Number(clean.data[clean.offset + i]);
        if (a === b) continue;
        const diff = Math.abs(a - b);
        if (!(diff <= tol.absolute + tol.relative * Math.abs(b))) {
            throw mismatch(tensor, `on dataset example ${examples[Math.floor(i / size)]}, element ${i % size} is ${a} from its local function but ${b} in the model`);
        }
        worst = Math.max(worst, diff);
    }
    return worst;
}

function mismatch(tensor: string, detail: string): HypError {
    return new HypError(`self-check failed for "${tensor}": ${detail}`, 'self-check', undefined,
        'the sub-graph from its hook-point parents does not reproduce it: look for random or stateful ops, or report the model');
}
