// Executes a plan (DESIGN.md §4.1 steps 2–3): clean activations of the examples the plan
// references in batched full-model runs, then every computed request tensor by tensor in
// topological order, batched into as few local-function runs as the batch size allows. A result
// is dropped once its last consumer has run, so memory follows the live frontier of the graph.
import type { GraphG } from '../graph/types.js';
import type { Plan } from '../plan/planner.js';
import type { Request } from '../plan/requests.js';
import type { CleanCache } from './clean-cache.js';
import { isWhole, type Region } from '../graph/region.js';
import { assembleBatch, BoxCache } from './assemble.js';
import { FeedBuffers } from './feed-buffers.js';
import { requestRegions } from './request-regions.js';

type ComputedRequest = Extract<Request, { kind: 'computed' }>;
type CleanRequest = Extract<Request, { kind: 'clean' }>;
import { type Activation, type ModelRunner, exampleSize } from './model-runner.js';

export interface ExecuteOptions {
    /** Requests (or examples) per session run. */
    batchSize: number;
    /** The chunk's roots (0-based, `to` excluded), which the fused path's errors name. */
    chunk?: { from: number; to: number };
    /** Called after each session run with the number of requests done so far. */
    onProgress?: (done: number, total: number) => void;
    /** Checked between session runs; throwing aborts the execution. */
    checkCancelled?: () => void;
    /** Dataset-wide clean activations to read from (and fill), instead of clean runs per plan. */
    cleanCache?: CleanCache;
    /** Tensors to fetch into the cache with every example that runs, besides those this plan reads. */
    cacheTensors?: Iterable<string>;
    /** Seconds spent, added to: where a scrub's time goes (the benchmarks report it). */
    timings?: ExecuteTimings;
    /**
     * The box of each output request the scores read (the metric's position, for a per-position
     * output); an output request missing here is read whole.
     */
    outputReads?: ReadonlyMap<number, Region>;
}

export interface ExecuteTimings {
    /** Full-model runs for clean activations, with their copying out. */
    clean: number;
    /** Stacking parent activations for local-function runs. */
    assemble: number;
    /** Local-function runs. */
    local: number;
}

/** Executes the plan and returns the activation of every request that the roots' scores read. */
export async function executePlan(plan: Plan, g: GraphG, runner: ModelRunner, opts: ExecuteOptions): Promise<ActivationStore> {
    const { table } = plan;
    const outputs = new OutputSet(table.size, [plan.scrubbed, plan.clean, plan.random]);
    const uses = countUses(plan, outputs);
    // The plan is complete: its flat sources no longer move.
    const flat = table.flatSources;
    const store = new ActivationStore(table.size);

    const computedByTensor = new Map<string, number[]>();
    const cleanRequests: number[] = [];
    for (let id = 0; id < table.size; id++) {
        const req = table.get(id);
        if (uses[id] === 0) continue;
        if (req.kind === 'computed') {
            let list = computedByTensor.get(req.tensor);
            if (list === undefined) computedByTensor.set(req.tensor, list = []);
            list.push(id);
        } else if (req.kind === 'clean') {
            cleanRequests.push(id);
        } else {
            store.set(id, await runner.constant(req.tensor, req.value));
        }
    }
    let total = cleanRequests.length;
    for (const list of computedByTensor.values()) total += list.length;
    let done = 0;

    const timings = opts.timings ?? { clean: 0, assemble: 0, local: 0 };
    let t0 = performance.now();
    // Clean activations: read from the dataset-wide cache (filled for what is missing), or one
    // pass of the full model per batch of distinct examples.
    const cache = opts.cleanCache;
    // A cache attached from another thread holds the tensors the run was sized for; any other is
    // read through a clean pass of this plan's own.
    const cachedRequests = cache === undefined ? [] : cleanRequests.filter(id => cache.has(table.get(id).tensor));
    const passRequests = cache === undefined ? cleanRequests : cleanRequests.filter(id => !cache.has(table.get(id).tensor));
    if (cache !== undefined) {
        const needed = new Map<number, Set<string>>();
        for (const id of cachedRequests) {
            const req = table.get(id) as CleanRequest;
            let tensors = needed.get(req.example);
            if (tensors === undefined) needed.set(req.example, tensors = new Set());
            tensors.add(req.tensor);
        }
        await cache.ensure(needed, opts.cacheTensors ?? [], opts.batchSize, opts.checkCancelled);
        for (const id of cachedRequests) {
            const req = table.get(id) as CleanRequest;
            store.set(id, cache.get(req.tensor, req.example));
        }
        done += cachedRequests.length;
        opts.onProgress?.(done, total);
    }
    const byExample = new Map<number, number[]>();
    for (const id of passRequests) {
        const req = table.get(id) as CleanRequest;
        let list = byExample.get(req.example);
        if (list === undefined) byExample.set(req.example, list = []);
        list.push(id);
    }
    const examples = [...byExample.keys()].sort((a, b) => a - b);
    for (let start = 0; start < examples.length; start += opts.batchSize) {
        opts.checkCancelled?.();
        const batch = examples.slice(start, start + opts.batchSize);
        const tensors = new Set<string>();
        for (const e of batch) for (const id of byExample.get(e)!) tensors.add((table.get(id) as CleanRequest).tensor);
        const result = await runner.clean(Int32Array.from(batch), [...tensors]);
        batch.forEach((e, b) => {
            for (const id of byExample.get(e)!) {
                const act = result.get((table.get(id) as CleanRequest).tensor)!;
                store.set(id, { data: act.data, offset: act.offset + b * exampleSize(act.dims), dims: act.dims });
                done++;
            }
        });
        opts.onProgress?.(done, total);
    }
    timings.clean += (performance.now() - t0) / 1000;

    const sliced = runner.slicing === undefined ? undefined : await requestRegions(plan, g, runner, computedByTensor, outputs, opts.outputReads);
    const regions = sliced?.regions;
    const boxes = new BoxCache(runner);
    const buffers = new FeedBuffers();

    // Computed requests, parents before children; per tensor, one group per parent list (a clean
    // cut feeds some requests from the frontier tensors instead of a parent) and output region.
    for (const tensor of g.computedTensors) {
        const all = computedByTensor.get(tensor);
        if (!all) continue;
        // Parent lists and regions are shared objects (the planner's lists, interned regions).
        const groups = new Map<readonly string[], Map<Region | undefined, number[]>>();
        for (const id of all) {
            const parents = (table.get(id) as ComputedRequest).parents;
            const region = regions?.[id];
            if (regions !== undefined && region === undefined) {
                // Nothing reads it: no local function runs for it.
                release(id);
                done++;
                continue;
            }
            let byRegion = groups.get(parents);
            if (byRegion === undefined) groups.set(parents, byRegion = new Map());
            const ids = byRegion.get(region);
            if (ids) ids.push(id);
            else byRegion.set(region, [id]);
        }
        for (const [parents, region, ids] of [...groups].flatMap(([p, byRegion]) => [...byRegion].map(([r, ids]) => [p, r, ids] as const))) {
            const needs = region === undefined ? undefined : sliced!.needs(tensor, parents, region);
            // A parent list holds a sum cut's reduced tensor only where the planner cut it, so one
            // request tells for the whole group which parents come as per-part sums.
            const stacked = (table.get(ids[0]) as ComputedRequest).inputs.map(a => a.sum === true);
            for (let start = 0; start < ids.length; start += opts.batchSize) {
                opts.checkCancelled?.();
                const batch = ids.slice(start, start + opts.batchSize);
                t0 = performance.now();
                const feeds = parents.map((parent, k) =>
                    assembleBatch(parent, table, batch, k, needs?.[k] === undefined ? undefined : sliced!.boxOf(needs[k]!), store, runner, buffers, boxes));
                const t1 = performance.now();
                timings.assemble += (t1 - t0) / 1000;
                let out = await runner.local(tensor, parents, feeds, region, stacked);
                // A feed buffer is overwritten by the next batch: never keep an output that shares it.
                if (feeds.some(f => f.data.buffer === out.data.buffer)) out = { ...out, data: out.data.slice() };
                timings.local += (performance.now() - t1) / 1000;
                const size = exampleSize(out.dims);
                // A sliced function's output holds the box of the tensor its readers use.
                const held = region === undefined || isWhole(region) ? undefined : sliced!.boxOf(region);
                batch.forEach((id, b) => store.set(id, { data: out.data, offset: out.offset + b * size, dims: out.dims, box: held }));
                for (const id of batch) release(id);
                done += batch.length;
                opts.onProgress?.(done, total);
            }
        }
    }
    store.keepOnly(outputs);
    return store;

    /** A computed request has run (or been skipped): its sources have one reader fewer. */
    function release(id: number): void {
        const end = table.sourceStart(id + 1);
        for (let i = table.sourceStart(id); i < end; i++) {
            const s = flat[i];
            if (--uses[s] === 0 && !outputs.has(s)) store.delete(s);
        }
    }
}

/** Activations by request id: an array, since ids are dense and this is the executor's hottest structure. */
export class ActivationStore {
    private readonly acts: (Activation | undefined)[];

    constructor(size: number) {
        this.acts = new Array<Activation | undefined>(size).fill(undefined);
    }

    get(id: number): Activation | undefined {
        return this.acts[id];
    }

    set(id: number, act: Activation): void {
        this.acts[id] = act;
    }

    delete(id: number): void {
        this.acts[id] = undefined;
    }

    keepOnly(outputs: OutputSet): void {
        for (let id = 0; id < this.acts.length; id++) if (!outputs.has(id)) this.acts[id] = undefined;
    }
}

/** The requests the roots' scores read: kept to the end. */
export class OutputSet {
    private readonly is: Uint8Array;
    readonly ids: number[] = [];

    constructor(size: number, lists: Int32Array[]) {
        this.is = new Uint8Array(size);
        for (const list of lists) {
            for (const id of list) {
                if (this.is[id] === 0) this.ids.push(id);
                this.is[id] = 1;
            }
        }
    }

    has(id: number): boolean {
        return this.is[id] === 1;
    }
}

/**
 * How many computed requests read each request (outputs count once more, so they survive): zero
 * for a request nothing the scores need reads (a cut leaves the requests it replaced unread).
 */
export function countUses(plan: Plan, outputs = new OutputSet(plan.table.size, [plan.scrubbed, plan.clean, plan.random])): Int32Array {
    const { table } = plan;
    const uses = new Int32Array(table.size);
    for (const id of outputs.ids) uses[id]++;
    // Requests are interned parents-first, so one backward sweep sees every consumer before its sources.
    // Every occurrence counts (a source owning several parts is read once per part), and every
    // occurrence is released after the read: the count reaches zero at the last one. Only
    // computed requests have sources.
    const flat = table.flatSources;
    for (let id = table.size - 1; id >= 0; id--) {
        if (uses[id] === 0) continue;
        const end = table.sourceStart(id + 1);
        for (let i = table.sourceStart(id); i < end; i++) uses[flat[i]]++;
    }
    return uses;
}
