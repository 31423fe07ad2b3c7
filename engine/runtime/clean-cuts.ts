// The clean cuts (graph/clean-cut.ts) and sum cuts (graph/sum-cut.ts) of every local function of
// G, with the per-example types of the tensors they feed, which the clean pass then fetches like
// hook tensors. Which tensors are batch-major is learnt by running the model; each round asks only
// about tensors the previous rounds pushed the frontier back to.
import type { ModelProto } from 'onnx-buf';
import { cleanCuts, type CleanCut } from '../graph/clean-cut.js';
import { sumReductions, type Reduction, type SumCut } from '../graph/sum-cut.js';
import type { GraphG } from '../graph/types.js';
import { defaultOpset } from '../onnx/nodes.js';
import { batchMajorTypes, type BatchFeeds } from './batch-major.js';
import type { ExampleType, SessionOptions } from './session.js';

export interface CleanCuts {
    /** Per computed tensor, its clean cuts (at most 15: a request's variant is a bit mask of them). */
    cuts: Map<string, CleanCut[]>;
    /** Per computed tensor, its sum cuts (at most 15); their part sums are not computed yet (prepare adds them). */
    sumCuts: Map<string, SumCut[]>;
    /** The reductions the sum cuts feed, by their part-sums tensor. */
    reductions: Map<string, Reduction>;
    /** Per-example types of every frontier tensor and every reduced tensor. */
    types: Map<string, ExampleType>;
}

/** `parentTypes`: per-example types of every hook tensor and graph input (sum cuts need ranks and dtypes). */
export async function findCleanCuts(model: ModelProto, g: GraphG, inputs: BatchFeeds, opts: SessionOptions,
    parentTypes: ReadonlyMap<string, ExampleType>): Promise<CleanCuts> {
    const known = new Map<string, ExampleType | null>();
    const hooks = new Set(g.computedTensors);
    for (let round = 0; round < 16; round++) {
        const unknown = new Set<string>();
        const usable = (t: string) => {
            // Hook tensors are fed by the executor already; never cut at one (it would be a parent).
            if (hooks.has(t)) return false;
            if (!known.has(t)) unknown.add(t);
            return known.get(t) !== null;
        };
        for (const t of g.computedTensors) cleanCuts(model, t, g.tensorParents(t), usable);
        if (unknown.size === 0) break;
        const types = await batchMajorTypes(model, [...unknown], inputs, opts);
        for (const t of unknown) known.set(t, types.get(t) ?? null);
    }
    const cuts = new Map<string, CleanCut[]>();
    const types = new Map<string, ExampleType>();
    for (const t of g.computedTensors) {
        const found = cleanCuts(model, t, g.tensorParents(t), x => !hooks.has(x) && known.get(x) != null).slice(0, 15);
        if (found.length === 0) continue;
        cuts.set(t, found);
        for (const c of found) for (const f of c.frontier) if (known.get(f)) types.set(f, known.get(f)!);
    }

    // Sum cuts: float32 split parents read through one ReduceSum (the ONNX forms used need opset 13).
    const sumCuts = new Map<string, SumCut[]>();
    const reductions = new Map<string, Reduction>();
    const opset = defaultOpset(model);
    if (opset < 13) return { cuts, sumCuts, reductions, types };
    const candidates = new Map<string, Map<number, Reduction>>();
    for (const t of g.computedTensors) {
        const parents = g.tensorParents(t);
        const split = new Set(parents.flatMap((p, k) => (g.nodesOfTensor(p).length > 1 && parentTypes.get(p)?.dtype === 'float32' ? [k] : [])));
        if (split.size === 0) continue;
        const found = sumReductions(model, t, parents, split, p => (parentTypes.has(p) ? parentTypes.get(p)!.dims.length + 1 : undefined));
        if (found.size > 0) candidates.set(t, found);
    }
    const reducedNames = [...new Set([...candidates.values()].flatMap(m => [...m.values()].map(r => r.reduced)))];
    const reducedTypes = await batchMajorTypes(model, reducedNames, inputs, opts);
    for (const [t, found] of candidates) {
        const list: SumCut[] = [];
        for (const [k, r] of found) {
            const type = reducedTypes.get(r.reduced);
            if (type === undefined || list.length >= 15) continue;
            const partSums = `${r.reduced}::parts`;
            list.push({ parent: k, reduced: r.reduced, partSums });
            reductions.set(partSums, r);
            types.set(r.reduced, type);
        }
        if (list.length > 0) sumCuts.set(t, list);
    }
    return { cuts, sumCuts, reductions, types };
}
