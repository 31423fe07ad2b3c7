// The box of each computed request that its readers use (graph/region-slice.ts), worked out
// children first before a plan runs: sliced local functions then compute just those boxes.
import type { GraphG } from '../graph/types.js';
import type { Plan } from '../plan/planner.js';
import type { Request } from '../plan/requests.js';
import { hull, intersect, isWhole, regionKey, wholeRegion, type Region } from '../graph/region.js';
import type { Box } from './boxes.js';
import type { ModelRunner } from './model-runner.js';
import type { OutputSet } from './executor.js';
import { isUniform } from './assemble.js';

type ComputedRequest = Extract<Request, { kind: 'computed' }>;

/**
 * The region of each computed request that its readers use, children before parents: all of an
 * output, and for a request feeding a local function, the part it owns of the parent within what
 * that function reads for its own region. Undefined where nothing is read.
 */
export async function requestRegions(plan: Plan, g: GraphG, runner: ModelRunner, computedByTensor: ReadonlyMap<string, number[]>,
    outputs: OutputSet, outputReads: ReadonlyMap<number, Region> | undefined): Promise<{
        regions: (Region | undefined)[];
        needs: (tensor: string, parents: readonly string[], region: Region) => (Region | undefined)[];
        boxOf: (r: Region) => Box;
    }> {
    const { table } = plan;
    const slicing = runner.slicing!;
    const regions = new Array<Region | undefined>(table.size);
    // Equal regions share one object, which the executor's caches are keyed by; a region already
    // shared is recognised without building its key (most are: whole tensors, functions' needs).
    const interned = new Map<string, Region>();
    const canonical = new Set<Region>();
    const intern = (r: Region) => {
        if (canonical.has(r)) return r;
        const key = regionKey(r);
        const known = interned.get(key);
        if (known !== undefined) return known;
        interned.set(key, r);
        canonical.add(r);
        return r;
    };
    /**
     * A region few requests of a tensor are read in (a hull of two readers' boxes, a cut that
     * rarely applies) would get a local function of its own: a session built and checked for a
     * handful of requests, which costs more than computing them whole. Such requests (fewer than
     * MIN_VARIANT_REQUESTS and than RARE_SHARE of the tensor's in the plan) are computed in the
     * tensor's whole region instead, unless their variant exists already.
     */
    const widenRareRegions = (tensor: string, ids: readonly number[]) => {
        // Regions are interned and parent lists shared: counted by object, no keys built.
        const counts = new Map<readonly string[], Map<Region, number>>();
        for (const id of ids) {
            const region = regions[id];
            if (region === undefined) continue;
            const r = regions[id] = intern(region);
            const parents = (table.get(id) as ComputedRequest).parents;
            let byRegion = counts.get(parents);
            if (byRegion === undefined) counts.set(parents, byRegion = new Map());
            byRegion.set(r, (byRegion.get(r) ?? 0) + 1);
        }
        // Rare in this plan: a small chunk (a large model's) has small groups, which must still
        // get their functions; only a group far below its tensor's share is computed whole.
        let read = 0;
        for (const byRegion of counts.values()) for (const c of byRegion.values()) read += c;
        const few = Math.min(MIN_VARIANT_REQUESTS, Math.ceil(RARE_SHARE * read));
        let rare: Map<readonly string[], Set<Region>> | undefined;
        for (const [parents, byRegion] of counts) {
            let stacked: boolean[] | undefined;
            for (const [r, count] of byRegion) {
                if (count >= few || r === whole(tensor)) continue;
                if (slicing.hasVariant !== undefined) {
                    stacked ??= (table.get(ids.find(id => (table.get(id) as ComputedRequest).parents === parents)!) as ComputedRequest).inputs.map(a => a.sum === true);
                    if (slicing.hasVariant(tensor, parents, r, stacked)) continue;
                }
                rare ??= new Map();
                let set = rare.get(parents);
                if (set === undefined) rare.set(parents, set = new Set());
                set.add(r);
            }
        }
        if (rare === undefined) return;
        for (const id of ids) {
            const r = regions[id];
            if (r !== undefined && rare.get((table.get(id) as ComputedRequest).parents)?.has(r)) regions[id] = whole(tensor);
        }
    };
    const wholes = new Map<string, Region>();
    const whole = (tensor: string) => {
        let r = wholes.get(tensor);
        if (r === undefined) wholes.set(tensor, r = intern(wholeRegion(runner.typeOf(tensor).dims.length + 1)));
        return r;
    };
    for (const id of outputs.ids) {
        const req = table.get(id);
        if (req.kind === 'computed') regions[id] = outputReads?.get(id) ?? whole(req.tensor);
    }
    // Request kinds once, as bytes: the requests are objects of three shapes, slow to test one by one.
    const computed = new Uint8Array(table.size);
    for (const ids of computedByTensor.values()) for (const id of ids) computed[id] = 1;
    const read = (s: number, r: Region) => {
        if (computed[s] === 0) return;
        const had = regions[s];
        if (had === r) return;
        regions[s] = had === undefined ? r : contains(had, r) ? had : hull(had, r);
    };
    // A part's overlap with the box a function reads, one interned object per pair (both are
    // shared objects): a new array per source, and its key when interned, cost more than the rest.
    const overlaps = new Map<Region, Map<Region, Region | null>>();
    const overlap = (box: Region, part: Region): Region | undefined => {
        let byPart = overlaps.get(box);
        if (byPart === undefined) overlaps.set(box, byPart = new Map());
        let r = byPart.get(part);
        if (r === undefined) {
            const o = intersect(box, part);
            byPart.set(part, r = o === undefined ? null : intern(o));
        }
        return r ?? undefined;
    };
    // Variants asked once each: a plan holds few (parent lists × regions), and requests many.
    // What a variant reads of each parent is worked out once too, and consecutive requests
    // mostly share their variant: the last one is kept at hand.
    interface Reads { need: (Region | undefined)[]; boxes: Region[]; parts: (readonly (Region | undefined)[] | undefined)[]; all: boolean[] }
    const variants = new Map<string, Map<readonly string[], Map<Region, Reads>>>();
    const needs = (tensor: string, parents: readonly string[], region: Region) => variants.get(tensor)!.get(parents)!.get(region)!.need;
    for (let t = g.computedTensors.length - 1; t >= 0; t--) {
        const tensor = g.computedTensors[t];
        let byParents = variants.get(tensor);
        if (byParents === undefined) variants.set(tensor, byParents = new Map());
        widenRareRegions(tensor, computedByTensor.get(tensor) ?? []);
        let lastParents: readonly string[] | undefined;
        let lastRegion: Region | undefined;
        let reads: Reads | undefined;
        for (const id of computedByTensor.get(tensor) ?? []) {
            let region = regions[id];
            if (region === undefined) continue;
            regions[id] = region = intern(region);
            const req = table.get(id) as ComputedRequest;
            if (req.parents !== lastParents || region !== lastRegion || reads === undefined) {
                let byRegion = byParents.get(req.parents);
                if (byRegion === undefined) byParents.set(req.parents, byRegion = new Map());
                reads = byRegion.get(region);
                if (reads === undefined) {
                    const stacked = req.inputs.map(a => a.sum === true);
                    const need = (await slicing.inputRegions(tensor, req.parents, region, stacked)).map(r => (r === undefined || isWhole(r) ? undefined : intern(r)));
                    const boxes = req.parents.map((p, k) => need[k] ?? whole(p));
                    reads = {
                        need, boxes,
                        parts: req.parents.map(p => (g.nodesOfTensor(p).length > 1 ? slicing.partBoxes(p) : undefined)),
                        all: req.parents.map((p, k) => boxes[k] === whole(p)),
                    };
                    byRegion.set(region, reads);
                }
                lastParents = req.parents;
                lastRegion = region;
            }
            for (let k = 0; k < req.inputs.length; k++) {
                const a = req.inputs[k];
                // A sum cut's sources are clean part sums: the clean pass computes them whole.
                if (a.sum) continue;
                const sources = a.sources;
                const box = reads.boxes[k];
                if (isUniform(sources)) {
                    read(sources[0], box);
                    continue;
                }
                // Sources that differ cover a split parent, whose part boxes are there.
                const parts = reads.parts[k]!;
                const all = reads.all[k];
                for (let i = 0; i < sources.length; i++) {
                    if (computed[sources[i]] === 0) continue;
                    const part = parts[i];
                    // Read whole, a part is its own box: the same object every time, no new array.
                    const r = part === undefined ? undefined : all ? part : overlap(box, part);
                    if (r !== undefined) read(sources[i], r);
                }
            }
        }
    }
    // Per example (no batch axis), one object per region: the executor's row caches are keyed by it.
    const boxes = new Map<Region, Box>();
    const boxOf = (r: Region) => {
        let box = boxes.get(r);
        if (box === undefined) boxes.set(r, box = r.slice(1));
        return box;
    };
    return { regions, needs, boxOf };
}

/**
 * A region of a tensor read by fewer requests than this in one plan, and by fewer than RARE_SHARE
 * of the tensor's requests there, gets no local function of its own when it has none yet: its
 * requests are computed whole (widenRareRegions).
 */
export const MIN_VARIANT_REQUESTS = 64;
export const RARE_SHARE = 0.02;

/** Whether box `a` holds box `b`. */
function contains(a: Region, b: Region): boolean {
    for (let i = 0; i < a.length; i++) {
        const r = a[i], q = b[i];
        if (r !== null && (q === null || q[0] < r[0] || q[1] > r[1])) return false;
    }
    return true;
}
