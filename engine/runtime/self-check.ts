// The local-function self-check: every computed tensor, recomputed by its local function from its
// parents' clean activations, must equal its clean activation. A mismatch means the cut-out
// sub-graph is not the computation the model does (a missed edge, a stateful or random op), and
// every scrubbing result built on it would be wrong, so it stops the run.
import { HypError } from '../errors.js';
import type { Activation, ModelRunner } from '../execute/model-runner.js';
import { cutParents, type CleanCut } from '../graph/clean-cut.js';
import type { SumCut } from '../graph/sum-cut.js';
import { exampleSize } from '../execute/model-runner.js';
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
    tolerance: SelfCheckTolerance = DEFAULT_TOLERANCE): Promise<Map<string, number>> {
    const variants = g.computedTensors.map(tensor => ({ tensor, parents: g.tensorParents(tensor) }));
    const clean = await runner.clean(examples, neededTensors(variants));
    const result = new Map<string, number>();
    for (const { tensor, parents } of variants) {
        const local = await runner.local(tensor, parents, parents.map(p => clean.get(p)!));
        result.set(tensor, compare(tensor, local, clean.get(tensor)!, examples, tolerance, g));
    }
    return result;
}

/**
 * The clean cuts and sum cuts that reproduce the clean activation on `examples`: each alone, and
 * all of a tensor's clean cuts together; a sum cut's per-part sums must also add up to the
 * reduced tensor. A cut is the engine's own rewrite, not the user's model: one that fails (or
 * cannot run) is dropped, and the local function runs uncut, rather than the scrub stopping.
 */
export async function verifiedCuts(runner: Pick<ModelRunner, 'clean' | 'local'>, g: GraphG, examples: Int32Array,
    cuts: ReadonlyMap<string, readonly CleanCut[]>, sumCuts: ReadonlyMap<string, readonly SumCut[]> = new Map(),
    tolerance: SelfCheckTolerance = DEFAULT_TOLERANCE): Promise<{ cuts: Map<string, CleanCut[]>; sumCuts: Map<string, SumCut[]> }> {
    const agrees = async (tensor: string, parents: readonly string[]): Promise<boolean> => {
        try {
            const clean = await runner.clean(examples, neededTensors([{ tensor, parents }]));
            const local = await runner.local(tensor, parents, parents.map(p => clean.get(p)!));
            compare(tensor, local, clean.get(tensor)!, examples, tolerance);
            return true;
        } catch {
            return false;
        }
    };
    const partsAddUp = async (cut: SumCut): Promise<boolean> => {
        try {
            const clean = await runner.clean(examples, [cut.partSums, cut.reduced]);
            const parts = clean.get(cut.partSums)!;
            const size = exampleSize(parts.dims.slice(1));
            const summed = new Float32Array(size * examples.length);
            for (let b = 0; b < examples.length; b++) {
                for (let k = 0; k < parts.dims[0]; k++) {
                    for (let i = 0; i < size; i++) summed[b * size + i] += Number(parts.data[parts.offset + (b * parts.dims[0] + k) * size + i]);
                }
            }
            compare(cut.reduced, { data: summed, offset: 0, dims: parts.dims.slice(1) }, clean.get(cut.reduced)!, examples, tolerance);
            return true;
        } catch {
            return false;
        }
    };
    const kept = new Map<string, CleanCut[]>();
    for (const [tensor, tensorCuts] of cuts) {
        const parents = g.tensorParents(tensor);
        const good: CleanCut[] = [];
        for (const cut of tensorCuts) if (await agrees(tensor, cutParents(parents, [cut], 1))) good.push(cut);
        if (good.length > 1 && !(await agrees(tensor, cutParents(parents, good, 2 ** good.length - 1)))) continue;
        if (good.length > 0) kept.set(tensor, good);
    }
    const keptSums = new Map<string, SumCut[]>();
    for (const [tensor, tensorCuts] of sumCuts) {
        const parents = g.tensorParents(tensor);
        const good: SumCut[] = [];
        for (const cut of tensorCuts) {
            if (await partsAddUp(cut) && await agrees(tensor, cutParents(parents, [], 0, [cut], 1))) good.push(cut);
        }
        if (good.length > 0) keptSums.set(tensor, good);
    }
    return { cuts: kept, sumCuts: keptSums };
}

function neededTensors(variants: readonly { tensor: string; parents: readonly string[] }[]): string[] {
    const needed = new Set<string>();
    for (const v of variants) {
        needed.add(v.tensor);
        for (const p of v.parents) needed.add(p);
    }
    return [...needed];
}

/**
 * The largest |local − clean| over the batch; throws when an element is outside the tolerance.
 * NaN equals NaN (a masked score is NaN in both), and integer and boolean tensors must agree exactly.
 */
function compare(tensor: string, local: Activation, clean: Activation, examples: Int32Array, tol: SelfCheckTolerance, g?: GraphG): number {
    if (local.dims.join(',') !== clean.dims.join(',')) {
        throw mismatch(tensor, `its local function gives shape [${local.dims.join(', ')}] per example, the model [${clean.dims.join(', ')}]`, g);
    }
    const exact = !(clean.data instanceof Float32Array || clean.data instanceof Float64Array);
    const size = local.dims.reduce((a, b) => a * b, 1);
    let worst = 0;
    for (let i = 0; i < examples.length * size; i++) {
        const a = Number(local.data[local.offset + i]);
        const b = Number(clean.data[clean.offset + i]);
        if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
        const diff = Math.abs(a - b);
        if (exact || !(diff <= tol.absolute + tol.relative * Math.abs(b))) {
            throw mismatch(tensor, `on dataset example ${examples[Math.floor(i / size)]}, element ${i % size} is ${a} from its local function but ${b} in the model`, g);
        }
        worst = Math.max(worst, diff);
    }
    return worst;
}

/** The G node a computed tensor belongs to, as a user declared it: the hook point (not its part), or `output`. */
function hookOf(tensor: string, g: GraphG | undefined): string | undefined {
    const node = g?.nodesOfTensor(tensor)[0];
    if (node === undefined) return undefined;
    return g!.nodes.get(node)?.kind === 'output' ? 'output' : node.split('.')[0];
}

function mismatch(tensor: string, detail: string, g?: GraphG): HypError {
    const hook = hookOf(tensor, g);
    const what = hook === undefined ? `"${tensor}"` : hook === 'output' ? `the output "${tensor}"` : `hook point ${hook} ("${tensor}")`;
    return new HypError(`self-check failed for ${what}: ${detail}`, 'self-check', undefined,
        'the sub-graph from its hook-point parents does not reproduce it: look for random or stateful ops, or report the model');
}
