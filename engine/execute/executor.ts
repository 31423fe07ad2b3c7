// Executes a plan (DESIGN.md §4.1 steps 2–3): clean activations of the examples the plan
// references in batched full-model runs, then every computed request tensor by tensor in
// topological order, batched into as few local-function runs as the batch size allows. A result
// is dropped once its last consumer has run, so memory follows the live frontier of the graph.
import type { GraphG } from '../graph/types.js';
import type { Plan } from '../plan/planner.js';
import type { Assembly } from '../plan/requests.js';
import { type Activation, type ModelRunner, type NumericArray, exampleSize } from './model-runner.js';

export interface ExecuteOptions {
    /** Requests (or examples) per session run. */
    batchSize: number;
    /** Called after each session run with the number of requests done so far. */
    onProgress?: (done: number, total: number) => void;
    /** Checked between session runs; throwing aborts the execution. */
    checkCancelled?: () => void;
}

/** Executes the plan and returns the activation of every request that the roots' scores read. */
export async function executePlan(plan: Plan, g: GraphG, runner: ModelRunner, opts: ExecuteOptions): Promise<Map<number, Activation>> {
    const { table } = plan;
    const outputs = new Set<number>([...plan.scrubbed, ...plan.clean, ...plan.random]);
    const uses = countUses(plan, outputs);
    const store = new Map<number, Activation>();

    const computedByTensor = new Map<string, number[]>();
    const cleanRequests: number[] = [];
    for (let id = 0; id < table.size; id++) {
        const req = table.get(id);
        if (uses[id] === 0) continue;
        if (req.kind === 'computed') {
            const list = computedByTensor.get(req.tensor) ?? [];
            list.push(id);
            computedByTensor.set(req.tensor, list);
        } else if (req.kind === 'clean') {
            cleanRequests.push(id);
        } else {
            store.set(id, await runner.constant(req.tensor, req.value));
        }
    }
    const total = cleanRequests.length + [...computedByTensor.values()].reduce((a, l) => a + l.length, 0);
    let done = 0;

    // Clean activations: one pass of the full model per batch of distinct examples.
    const byExample = new Map<number, number[]>();
    for (const id of cleanRequests) {
        const req = table.get(id) as { kind: 'clean'; tensor: string; example: number };
        const list = byExample.get(req.example) ?? [];
        list.push(id);
        byExample.set(req.example, list);
    }
    const examples = [...byExample.keys()].sort((a, b) => a - b);
    for (let start = 0; start < examples.length; start += opts.batchSize) {
        opts.checkCancelled?.();
        const batch = examples.slice(start, start + opts.batchSize);
        const tensors = new Set<string>();
        for (const e of batch) for (const id of byExample.get(e)!) tensors.add((table.get(id) as { tensor: string }).tensor);
        const result = await runner.clean(Int32Array.from(batch), [...tensors]);
        batch.forEach((e, b) => {
            for (const id of byExample.get(e)!) {
                const tensor = (table.get(id) as { tensor: string }).tensor;
                const act = result.get(tensor)!;
                store.set(id, { data: act.data, offset: act.offset + b * exampleSize(act.dims), dims: act.dims });
                done++;
            }
        });
        opts.onProgress?.(done, total);
    }

    // Computed requests, parents before children.
    for (const tensor of g.computedTensors) {
        const ids = computedByTensor.get(tensor);
        if (!ids) continue;
        const parents = g.tensorParents(tensor);
        for (let start = 0; start < ids.length; start += opts.batchSize) {
            opts.checkCancelled?.();
            const batch = ids.slice(start, start + opts.batchSize);
            const feeds = parents.map((parent, k) =>
                assembleBatch(parent, batch.map(id => (table.get(id) as { inputs: Assembly[] }).inputs[k]), store, runner));
            const out = await runner.local(tensor, parents, feeds);
            const size = exampleSize(out.dims);
            batch.forEach((id, b) => store.set(id, { data: out.data, offset: out.offset + b * size, dims: out.dims }));
            for (const id of batch) {
                for (const a of (table.get(id) as { inputs: Assembly[] }).inputs) {
                    for (const s of new Set(a.sources)) if (--uses[s] === 0 && !outputs.has(s)) store.delete(s);
                }
            }
            done += batch.length;
            opts.onProgress?.(done, total);
        }
    }
    for (const id of [...store.keys()]) if (!outputs.has(id)) store.delete(id);
    return store;
}

/** How many computed requests read each request (outputs count once more, so they survive). */
function countUses(plan: Plan, outputs: Set<number>): Int32Array {
    const { table } = plan;
    const uses = new Int32Array(table.size);
    for (const id of outputs) uses[id]++;
    // Requests are interned parents-first, so one backward sweep sees every consumer before its sources.
    for (let id = table.size - 1; id >= 0; id--) {
        const req = table.get(id);
        if (req.kind !== 'computed' || uses[id] === 0) continue;
        for (const a of req.inputs) for (const s of new Set(a.sources)) uses[s]++;
    }
    return uses;
}

/** Stacks one parent tensor's value for each request of a batch, mixing parts by their masks. */
function assembleBatch(tensor: string, assemblies: Assembly[], store: Map<number, Activation>, runner: ModelRunner): Activation {
    const first = store.get(assemblies[0].sources[0]);
    if (first === undefined) throw new Error(`executor: activation of ${tensor} missing`);
    const dims = first.dims;
    const size = exampleSize(dims);
    const data = allocLike(first.data, size * assemblies.length);
    assemblies.forEach((a, b) => {
        const base = b * size;
        const uniform = a.sources.every(s => s === a.sources[0]);
        if (uniform) {
            const src = store.get(a.sources[0])!;
            copyInto(data, base, src, size);
            return;
        }
        const runs = runner.partRuns(tensor);
        const srcs = a.sources.map(s => store.get(s)!);
        for (let k = 0; k < runs.start.length; k++) {
            const src = srcs[runs.owner[k]];
            const from = src.offset + runs.start[k];
            (data as Float32Array).set((src.data as Float32Array).subarray(from, from + runs.length[k]), base + runs.start[k]);
        }
    });
    return { data, offset: 0, dims };
}

function copyInto(dst: NumericArray, offset: number, src: Activation, size: number): void {
    (dst as Float32Array).set((src.data as Float32Array).subarray(src.offset, src.offset + size), offset);
}

function allocLike(proto: NumericArray, length: number): NumericArray {
    const Ctor = proto.constructor as new (n: number) => NumericArray;
    return new Ctor(length);
}
