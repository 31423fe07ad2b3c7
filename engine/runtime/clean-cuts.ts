// The clean cuts of every local function of G (graph/clean-cut.ts), with the per-example types
// of their frontier tensors, which the clean pass then fetches like hook tensors. Which tensors
// are batch-major is learnt by running the model; each round asks only about tensors the previous
// rounds pushed the frontier back to.
import type { ModelProto } from 'onnx-buf';
import { cleanCuts, type CleanCut } from '../graph/clean-cut.js';
import type { GraphG } from '../graph/types.js';
import { batchMajorTypes, type BatchFeeds } from './batch-major.js';
import type { ExampleType, SessionOptions } from './session.js';

export interface CleanCuts {
    /** Per computed tensor, its cuts (at most 30: a request's variant is a bit mask of them). */
    cuts: Map<string, CleanCut[]>;
    /** Per-example types of every frontier tensor. */
    types: Map<string, ExampleType>;
}

export async function findCleanCuts(model: ModelProto, g: GraphG, inputs: BatchFeeds, opts: SessionOptions): Promise<CleanCuts> {
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
        const found = cleanCuts(model, t, g.tensorParents(t), x => !hooks.has(x) && known.get(x) != null).slice(0, 30);
        if (found.length === 0) continue;
        cuts.set(t, found);
        for (const c of found) for (const f of c.frontier) if (known.get(f)) types.set(f, known.get(f)!);
    }
    return { cuts, types };
}
