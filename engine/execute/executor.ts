// Executes a plan (DESIGN.md §4.1 steps 2–3): clean activations of the examples the plan
// references in batched full-model runs, then every computed request tensor by tensor in
// topological order, batched into as few local-function runs as the batch size allows. A result
// is dropped once its last consumer has run, so memory follows the live frontier of the graph.
import type { GraphG } from '../graph/types.js';
import type { Plan } from '../plan/planner.js';
import type { Assembly, Request } from '../plan/requests.js';
import type { CleanCache } from './clean-cache.js';

type ComputedRequest = Extract<Request, { kind: 'computed' }>;
type CleanRequest = Extract<Request, { kind: 'clean' }>;
import { type Activation, type ModelRunner, type NumericArray, exampleSize } from './model-runner.js';

export interface ExecuteOptions {
    /** Requests (or examples) per session run. */
    batchSize: number;
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
    if (opts.cleanCache !== undefined) {
        const cache = opts.cleanCache;
        const examples = new Set<number>();
        const tensors = new Set<string>(opts.cacheTensors ?? []);
        for (const id of cleanRequests) {
            const req = table.get(id) as CleanRequest;
            examples.add(req.example);
            tensors.add(req.tensor);
        }
        await cache.ensure(examples, tensors, opts.batchSize, opts.checkCancelled);
        for (const id of cleanRequests) {
            const req = table.get(id) as CleanRequest;
            store.set(id, cache.get(req.tensor, req.example));
        }
        done += cleanRequests.length;
        opts.onProgress?.(done, total);
    }
    const byExample = new Map<number, number[]>();
    for (const id of opts.cleanCache === undefined ? cleanRequests : []) {
        const req = table.get(id) as CleanRequest;
        let list = byExample.get(req.example);
        if (list === undefined) byExample.set(req.example, list = []);
        list.push(id);
    }
    const examples = [...byExample.keys()].sort((a, b) => a - b);
    for (let start = 0; opts.cleanCache === undefined && start < examples.length; start += opts.batchSize) {
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

    // Computed requests, parents before children; per tensor, one group per parent list (a clean
    // cut feeds some requests from the frontier tensors instead of a parent).
    for (const tensor of g.computedTensors) {
        const all = computedByTensor.get(tensor);
        if (!all) continue;
        const groups = new Map<readonly string[], number[]>();
        const buffers = new Map<string, NumericArray>();
        for (const id of all) {
            const parents = (table.get(id) as ComputedRequest).parents;
            const list = groups.get(parents);
            if (list) list.push(id);
            else groups.set(parents, [id]);
        }
        for (const [parents, ids] of groups) {
            for (let start = 0; start < ids.length; start += opts.batchSize) {
                opts.checkCancelled?.();
                const batch = ids.slice(start, start + opts.batchSize);
                t0 = performance.now();
                const feeds = parents.map((parent, k) =>
                    assembleBatch(parent, batch.map(id => (table.get(id) as ComputedRequest).inputs[k]), store, runner, buffers));
                const t1 = performance.now();
                timings.assemble += (t1 - t0) / 1000;
                let out = await runner.local(tensor, parents, feeds);
                // A feed buffer is overwritten by the next batch: never keep an output that shares it.
                if (feeds.some(f => f.data.buffer === out.data.buffer)) out = { ...out, data: out.data.slice() };
                timings.local += (performance.now() - t1) / 1000;
                const size = exampleSize(out.dims);
                batch.forEach((id, b) => store.set(id, { data: out.data, offset: out.offset + b * size, dims: out.dims }));
                for (const id of batch) {
                    for (const a of (table.get(id) as ComputedRequest).inputs) {
                        for (const s of a.sources) if (--uses[s] === 0 && !outputs.has(s)) store.delete(s);
                    }
                }
                done += batch.length;
                opts.onProgress?.(done, total);
            }
        }
    }
    store.keepOnly(outputs);
    return store;
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
class OutputSet {
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
    for (let id = table.size - 1; id >= 0; id--) {
        const req = table.get(id);
        if (req.kind !== 'computed' || uses[id] === 0) continue;
        // Every occurrence counts (a source owning several parts is read once per part), and
        // every occurrence is released after the read: the count reaches zero at the last one.
        for (const a of req.inputs) for (const s of a.sources) uses[s]++;
    }
    return uses;
}

/** Stacks one parent tensor's value for each request of a batch, mixing parts by their masks. */
function assembleBatch(tensor: string, assemblies: Assembly[], store: ActivationStore, runner: ModelRunner,
    buffers: Map<string, NumericArray>): Activation {
    const first = store.get(assemblies[0].sources[0]);
    if (first === undefined) throw new Error(`executor: activation of ${tensor} missing`);
    if (assemblies[0].sum) return sumBatch(tensor, assemblies, store, first, buffers);
    const dims = first.dims;
    const size = exampleSize(dims);
    // One feed buffer per parent and length, reused batch after batch: onnxruntime reads a feed
    // only during its run, and fresh multi-megabyte arrays per batch kept the collector busy.
    const key = `${tensor}\u0000${size * assemblies.length}`;
    let buffer = buffers.get(key);
    if (buffer === undefined || buffer.constructor !== first.data.constructor) buffers.set(key, buffer = allocLike(first.data, size * assemblies.length));
    const data = buffer as Float32Array;
    let runs: ReturnType<ModelRunner['partRuns']> | undefined;
    const srcData: Float32Array[] = [];
    const srcOffset: number[] = [];
    for (let b = 0; b < assemblies.length; b++) {
        const sources = assemblies[b].sources;
        const base = b * size;
        if (isUniform(sources)) {
            copyInto(data, base, store.get(sources[0])!, size);
            continue;
        }
        runs ??= runner.partRuns(tensor);
        const { start, length, owner } = runs;
        for (let i = 0; i < sources.length; i++) {
            const src = store.get(sources[i])!;
            srcData[i] = src.data as Float32Array;
            srcOffset[i] = src.offset;
        }
        for (let k = 0; k < start.length; k++) {
            const o = owner[k];
            const from = srcOffset[o] + start[k];
            const n = length[k];
            const src = srcData[o];
            // Parts are often one head's or one position's slice: tens of elements, where a
            // plain loop beats creating a subarray view per run.
            if (n <= 64) {
                const to = base + start[k];
                for (let i = 0; i < n; i++) data[to + i] = src[from + i];
            } else {
                data.set(src.subarray(from, from + n), base + start[k]);
            }
        }
    }
    return { data, offset: 0, dims };
}

/**
 * Stacks a sum cut's value for each request: the sum over parts k of slice k of source k, each
 * source holding one example's per-part sums ([parts, ...reduced dims]).
 */
function sumBatch(tensor: string, assemblies: Assembly[], store: ActivationStore, first: Activation,
    buffers: Map<string, NumericArray>): Activation {
    const dims = first.dims.slice(1);
    const size = exampleSize(dims);
    const key = `${tensor}\u0000sum\u0000${size * assemblies.length}`;
    let buffer = buffers.get(key) as Float32Array | undefined;
    if (buffer === undefined) buffers.set(key, buffer = new Float32Array(size * assemblies.length));
    const data = buffer;
    data.fill(0);
    for (let b = 0; b < assemblies.length; b++) {
        const sources = assemblies[b].sources;
        const base = b * size;
        for (let k = 0; k < sources.length; k++) {
            const src = store.get(sources[k])!;
            const from = src.offset + k * size;
            const values = src.data as Float32Array;
            for (let i = 0; i < size; i++) data[base + i] += values[from + i];
        }
    }
    return { data, offset: 0, dims };
}

function isUniform(sources: readonly number[]): boolean {
    for (let i = 1; i < sources.length; i++) if (sources[i] !== sources[0]) return false;
    return true;
}

function copyInto(dst: NumericArray, offset: number, src: Activation, size: number): void {
    (dst as Float32Array).set((src.data as Float32Array).subarray(src.offset, src.offset + size), offset);
}

function allocLike(proto: NumericArray, length: number): NumericArray {
    const Ctor = proto.constructor as new (n: number) => NumericArray;
    return new Ctor(length);
}
