// The fused strategy (exec-strategy.ts): a chunk's plan runs as one onnxruntime run of a graph
// that computes every computed request (fused-graph.ts). Here the plan is laid out into that
// graph's inputs: the rows of clean activations and ablation constants its requests read (fed
// once), and, per group of requests and parent, the pool rows the parent is gathered from. The
// staged executor (executor.ts) stays as it is; results agree with it to float32 rounding.
import * as ort from 'onnxruntime-node';
import type { GraphG } from '../graph/types.js';
import type { Plan } from '../plan/planner.js';
import type { Request } from '../plan/requests.js';
import type { PreparedScrub } from '../prepare.js';
import type { HypothesisSpec } from '../spec.js';
import { HypError } from '../errors.js';
import { writeModel } from '../onnx/read.js';
import { ActivationStore, countUses, executePlan, OutputSet, type ExecuteOptions } from './executor.js';
import { buildFusedGraph, fusedNames, shapeKey, type FusedGroup, type FusedShape } from './fused-graph.js';
import type { CleanCache } from './clean-cache.js';
import { type Activation, type ModelRunner, type NumericArray, OrtModelRunner, allocTyped, exampleSize } from './model-runner.js';

type ComputedRequest = Extract<Request, { kind: 'computed' }>;

/**
 * A hypothesis's fused executor. Chunks of one hypothesis mostly hold the same variants, but a
 * rare one (a cut that does not apply to some request) comes and goes: the graph run is the union
 * of every chunk shape seen so far, a group absent from a chunk run on one dummy request, so that
 * a later chunk reuses the session instead of building another.
 */
export class FusedExecutor {
    /** The union of the chunk shapes run so far. */
    private shape: FusedShape | undefined;

    /**
     * Share of a cache column's examples a chunk must read for the column to be fed whole (its
     * rows are copied otherwise): a column goes to the device whole with every run, worth it when
     * the chunk reads a good share of it (a large model's column of a few rows read would be
     * gigabytes). Either way gives the same values; tests set 0 and Infinity to run both.
     */
    columnShare = 0.25;

    constructor(private readonly runner: OrtModelRunner, private readonly sessions: FusedSessions) {}

    get runs(): number {
        return this.sessions.runs;
    }

    get sessionsBuilt(): number {
        return this.sessions.built;
    }

    /** `executePlan`'s contract: the activations of every request the roots' scores read. */
    readonly execute = async (plan: Plan, g: GraphG, runner: ModelRunner, opts: ExecuteOptions): Promise<ActivationStore> => {
        if (runner !== this.runner) throw new Error('fused executor: called with another runner');
        const { table } = plan;
        const timings = opts.timings ?? { clean: 0, assemble: 0, local: 0 };
        let t0 = performance.now();
        const outputs = new OutputSet(table.size, [plan.scrubbed, plan.clean, plan.random]);
        const uses = countUses(plan, outputs);
        const store = new ActivationStore(table.size);
        const cache = opts.cleanCache;

        // Live computed requests by tensor, then by variant (the planner shares parent lists).
        const byTensor = new Map<string, Map<readonly string[], number[]>>();
        for (let id = 0; id < table.size; id++) {
            const req = table.get(id);
            if (uses[id] === 0 || req.kind !== 'computed') continue;
            let byParents = byTensor.get(req.tensor);
            if (byParents === undefined) byTensor.set(req.tensor, byParents = new Map());
            const ids = byParents.get(req.parents);
            if (ids === undefined) byParents.set(req.parents, [id]);
            else ids.push(id);
        }
        // Rows fed from the host: every clean or constant source of a live computed request. A
        // tensor the clean cache holds is fed as its whole column (example e at row e): its clean
        // rows are not copied (copying rows out of the cache's shared buffers was most of the
        // host's time). Constants and other clean rows are copied, after the column.
        const seen = new Uint8Array(table.size);
        const copied = new Map<string, number[]>();
        const inCache = new Map<string, number[]>();
        const columns = new Set<string>();
        const hostIds: number[] = [];
        for (const byParents of byTensor.values()) {
            for (const ids of byParents.values()) {
                for (const id of ids) {
                    for (const a of (table.get(id) as ComputedRequest).inputs) {
                        for (const s of a.sources) {
                            if (seen[s] === 1) continue;
                            seen[s] = 1;
                            const src = table.get(s);
                            if (src.kind === 'computed') continue;
                            hostIds.push(s);
                            const into = src.kind === 'clean' && columnFits(cache, src.tensor) ? inCache : copied;
                            let list = into.get(src.tensor);
                            if (list === undefined) into.set(src.tensor, list = []);
                            list.push(s);
                        }
                    }
                }
            }
        }
        for (const [tensor, ids] of inCache) {
            if (ids.length >= this.columnShare * cache!.columnData(tensor).count) {
                columns.add(tensor);
                continue;
            }
            let list = copied.get(tensor);
            if (list === undefined) copied.set(tensor, list = []);
            list.push(...ids);
        }
        // This chunk's groups; sorted by parent list so that chunks with the same variants get
        // the same graph.
        const groups: { shape: FusedGroup; ids: number[] }[] = [];
        for (const tensor of g.computedTensors) {
            const byParents = byTensor.get(tensor);
            if (byParents === undefined) continue;
            const variants = [...byParents].sort(([a], [b]) => compare(a.join('\u0000'), b.join('\u0000')));
            for (const [parents, ids] of variants) {
                const first = table.get(ids[0]) as ComputedRequest;
                const stacked = first.inputs.map(a => a.sum === true);
                const inputs = parents.map((_, k) => {
                    const source = table.get(first.inputs[k].sources[0]).tensor;
                    // Element by element where some request takes a split parent's parts from
                    // different requests (or a sum cut stacks them); else a row per request.
                    const parts = stacked[k] || ids.some(id => !uniform((table.get(id) as ComputedRequest).inputs[k].sources));
                    return { source, parts };
                });
                groups.push({ shape: { tensor, parents, stacked, inputs }, ids });
            }
        }
        const outputTensor = table.get(plan.clean[0]).tensor;
        const computedOutputs = outputs.ids.filter(id => table.get(id).kind === 'computed');

        // Clean and constant values: the fed rows and the outputs that are not computed.
        hostIds.push(...outputs.ids.filter(id => table.get(id).kind !== 'computed'));
        timings.assemble += (performance.now() - t0) / 1000;
        t0 = performance.now();
        await this.fetchClean(plan, hostIds, store, opts);
        timings.clean += (performance.now() - t0) / 1000;
        opts.onProgress?.(hostIds.length, hostIds.length + computedOutputs.length);
        if (computedOutputs.length === 0) {
            store.keepOnly(outputs);
            return store;
        }

        t0 = performance.now();
        const tensorOrder = new Map(g.computedTensors.map((t, i) => [t, i]));
        const shape = this.shape = unionShape(this.shape, {
            columns: [...columns].sort(compare),
            feeds: [...copied.keys()].sort(compare),
            groups: groups.map(x => x.shape),
            output: outputTensor,
        }, tensorOrder);
        // Each tensor's pool, in the graph's order: its column, its copied rows, then one block per
        // group of the shape (one dummy row for a group this chunk lacks). A column or copied
        // block of the shape this chunk has nothing for is one row of zeros, read by no request.
        const row = new Int32Array(table.size).fill(-1);
        const next = new Map<string, number>();
        const feeds: Record<string, ort.Tensor> = {};
        for (const tensor of shape.columns) {
            const { dtype, dims } = this.runner.typeOf(tensor);
            // A column of the union this chunk copies rows of, or reads nothing of, is one row of zeros.
            const column = columns.has(tensor) ? cache!.columnData(tensor) : undefined;
            const count = column?.count ?? 1;
            const data = column?.data ?? allocTyped(dtype, exampleSize(dims));
            feeds[fusedNames.column(tensor)] = new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, [count, ...dims]);
            next.set(tensor, count);
        }
        for (const id of hostIds) {
            const req = table.get(id);
            if (req.kind === 'clean' && columns.has(req.tensor)) row[id] = req.example;
        }
        for (const tensor of shape.feeds) {
            const ids = copied.get(tensor) ?? [];
            const { dtype, dims } = this.runner.typeOf(tensor);
            const size = exampleSize(dims);
            const base = next.get(tensor) ?? 0;
            const rows = Math.max(1, ids.length);
            if ((base + rows) * size >= 2 ** 31) throw tooLarge(tensor);
            const data = allocTyped(dtype, rows * size);
            ids.forEach((id, r) => {
                copyInto(data, r * size, store.get(id)!, size);
                row[id] = base + r;
            });
            feeds[fusedNames.feed(tensor)] = new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, [rows, ...dims]);
            next.set(tensor, base + rows);
        }
        const byKey = new Map(groups.map(x => [groupKey(x.shape), x.ids]));
        const groupIds = shape.groups.map(group => {
            const ids = byKey.get(groupKey(group));
            const base = next.get(group.tensor) ?? 0;
            if (ids !== undefined) ids.forEach((id, i) => { row[id] = base + i; });
            next.set(group.tensor, base + (ids?.length ?? 1));
            return ids;
        });
        // Every pool must be addressable by int32 flat indices.
        for (const [tensor, rows] of next) {
            if (rows * exampleSize(this.runner.typeOf(tensor).dims) >= 2 ** 31) throw tooLarge(tensor);
        }
        shape.groups.forEach((group, gi) => {
            // A group of the union this chunk lacks runs on one dummy request reading each pool's
            // first row; its output row is never read.
            const ids = groupIds[gi];
            group.inputs.forEach((input, k) => {
                const sources = (id: number) => (table.get(id) as ComputedRequest).inputs[k].sources;
                if (!input.parts) {
                    feeds[fusedNames.index(gi, k)] = ids === undefined ? new ort.Tensor('int32', new Int32Array(1), [1])
                        : new ort.Tensor('int32', Int32Array.from(ids, id => row[sources(id)[0]]), [ids.length]);
                    return;
                }
                const parts = group.stacked[k] ? this.runner.typeOf(input.source).dims[0] : g.nodesOfTensor(input.source).length;
                if (ids === undefined) {
                    feeds[fusedNames.index(gi, k)] = new ort.Tensor('int32', new Int32Array(parts), [1, parts]);
                    return;
                }
                const index = new Int32Array(ids.length * parts);
                ids.forEach((id, b) => {
                    const s = sources(id);
                    if (s.length !== parts) throw new Error(`fused executor: ${group.tensor} reads ${s.length} parts of ${input.source}, not ${parts}`);
                    for (let p = 0; p < parts; p++) index[b * parts + p] = row[s[p]];
                });
                feeds[fusedNames.index(gi, k)] = new ort.Tensor('int32', index, [ids.length, parts]);
            });
        });
        feeds[fusedNames.outputIndex] = new ort.Tensor('int32', Int32Array.from(computedOutputs, id => row[id]), [computedOutputs.length]);
        timings.assemble += (performance.now() - t0) / 1000;

        opts.checkCancelled?.();
        t0 = performance.now();
        const session = await this.session(shape);
        this.sessions.runs++;
        this.runner.sessionRuns++;
        const out = (await session.run(feeds, [fusedNames.output]))[fusedNames.output];
        const bad = firstNonFinite(out.data as NumericArray);
        if (bad !== undefined) await this.diagnose(plan, g, opts, outputTensor, bad);
        const size = exampleSize(out.dims.slice(1));
        const data = out.data as NumericArray;
        computedOutputs.forEach((id, i) => store.set(id, { data, offset: i * size, dims: out.dims.slice(1) }));
        timings.local += (performance.now() - t0) / 1000;
        opts.onProgress?.(hostIds.length + computedOutputs.length, hostIds.length + computedOutputs.length);
        store.keepOnly(outputs);
        return store;
    };

    /**
     * The fused graph returns only the scrubbed outputs, so a NaN or infinity there does not say
     * which local function made it. The chunk is rerun staged, which checks every local
     * function's output, only to throw its located error; the rerun's values are never used, so
     * the scrub fails either way. Where the staged rerun finds nothing, the fused graph computed
     * something the staged functions do not (whole functions where staged ones are sliced to what
     * the scores read, or a different rounding), and the error says so.
     */
    private async diagnose(plan: Plan, g: GraphG, opts: ExecuteOptions, tensor: string, bad: number): Promise<never> {
        await executePlan(plan, g, this.runner, { ...opts, timings: undefined, onProgress: undefined });
        const chunk = opts.chunk === undefined ? '' : ` in the chunk of roots ${opts.chunk.from}–${opts.chunk.to - 1}`;
        throw new HypError(`the fused graph produced ${bad} in tensor ${tensor} on scrubbed inputs${chunk}; the staged executor, rerun on that chunk, finds no NaN or infinity in its local functions' outputs`,
            'non-finite-activation', undefined,
            'the fused graph computes whole local functions, where staged ones may compute only what the scores read, and may round differently; scrub with --exec staged');
    }

    private session(shape: FusedShape): Promise<ort.InferenceSession> {
        return this.sessions.get(shape);
    }

    /**
     * The clean activations and constants of `ids` into `store`: from the dataset-wide cache where
     * it holds the tensor, else from full-model runs over the distinct examples, as the staged
     * executor reads them.
     */
    private async fetchClean(plan: Plan, ids: readonly number[], store: ActivationStore, opts: ExecuteOptions): Promise<void> {
        const { table } = plan;
        const cache = opts.cleanCache;
        const cached = new Map<number, Set<string>>();
        const byExample = new Map<number, number[]>();
        for (const id of ids) {
            const req = table.get(id);
            if (req.kind === 'constant') {
                store.set(id, await this.runner.constant(req.tensor, req.value));
            } else if (req.kind === 'clean') {
                if (cache !== undefined && cache.has(req.tensor)) {
                    let tensors = cached.get(req.example);
                    if (tensors === undefined) cached.set(req.example, tensors = new Set());
                    tensors.add(req.tensor);
                }
                let list = byExample.get(req.example);
                if (list === undefined) byExample.set(req.example, list = []);
                list.push(id);
            }
        }
        if (cache !== undefined && cached.size > 0) {
            await cache.ensure(cached, opts.cacheTensors ?? [], opts.batchSize, opts.checkCancelled);
        }
        const pass: number[] = [];
        for (const [e, list] of byExample) {
            const rest = list.filter(id => {
                const req = table.get(id) as Extract<Request, { kind: 'clean' }>;
                if (cache === undefined || !cache.has(req.tensor)) return true;
                store.set(id, cache.get(req.tensor, e));
                return false;
            });
            if (rest.length > 0) {
                pass.push(e);
                byExample.set(e, rest);
            }
        }
        pass.sort((a, b) => a - b);
        for (let start = 0; start < pass.length; start += opts.batchSize) {
            opts.checkCancelled?.();
            const batch = pass.slice(start, start + opts.batchSize);
            const tensors = new Set<string>();
            for (const e of batch) for (const id of byExample.get(e)!) tensors.add(table.get(id).tensor);
            const result = await this.runner.clean(Int32Array.from(batch), [...tensors]);
            batch.forEach((e, b) => {
                for (const id of byExample.get(e)!) {
                    const act = result.get(table.get(id).tensor)!;
                    store.set(id, { data: act.data, offset: act.offset + b * exampleSize(act.dims), dims: act.dims });
                }
            });
        }
    }
}

/** A runner's fused sessions, one per graph shape, shared by its hypotheses' executors and released with the runner. */
class FusedSessions {
    /** Fused-graph runs, and sessions built (the bench reports them). */
    runs = 0;
    built = 0;
    private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
    readonly executors = new Map<HypothesisSpec, FusedExecutor>();

    constructor(private readonly runner: OrtModelRunner) {}

    get(shape: FusedShape): Promise<ort.InferenceSession> {
        const key = shapeKey(shape);
        let session = this.sessions.get(key);
        if (session === undefined) {
            this.built++;
            this.sessions.set(key, session = this.runner.newSession(writeModel(buildFusedGraph(shape, this.runner))));
        }
        return session;
    }
}

const perRunner = new WeakMap<OrtModelRunner, FusedSessions>();

/** The fused executor of a hypothesis of a prepared spec (sessions are kept with the spec's runner). */
export function fusedExecutorFor(prepared: PreparedScrub, hypothesis: HypothesisSpec): FusedExecutor {
    let sessions = perRunner.get(prepared.runner);
    if (sessions === undefined) perRunner.set(prepared.runner, sessions = new FusedSessions(prepared.runner));
    let executor = sessions.executors.get(hypothesis);
    if (executor === undefined) sessions.executors.set(hypothesis, executor = new FusedExecutor(prepared.runner, sessions));
    return executor;
}

function groupKey(group: FusedGroup): string {
    return `${group.tensor}\u0000${group.parents.join('\u0000')}\u0000${group.stacked.map(Number).join('')}`;
}

/**
 * The shape running both: every feed and group of either, groups in execution order (by tensor,
 * then by parent list), and a parent gathered by parts where either gathers it so.
 */
function unionShape(a: FusedShape | undefined, b: FusedShape, tensorOrder: ReadonlyMap<string, number>): FusedShape {
    if (a === undefined) return b;
    const groups = new Map<string, FusedGroup>();
    for (const g of [...a.groups, ...b.groups]) {
        const key = groupKey(g);
        const had = groups.get(key);
        groups.set(key, had === undefined ? g : { ...had, inputs: had.inputs.map((x, k) => ({ ...x, parts: x.parts || g.inputs[k].parts })) });
    }
    const merged: FusedShape = {
        columns: [...new Set([...a.columns, ...b.columns])].sort(compare),
        feeds: [...new Set([...a.feeds, ...b.feeds])].sort(compare),
        groups: [...groups.values()].sort((x, y) => (tensorOrder.get(x.tensor)! - tensorOrder.get(y.tensor)!) || compare(x.parents.join('\u0000'), y.parents.join('\u0000'))),
        output: b.output,
    };
    // The same object when nothing is new: the caller's session is found by key anyway.
    return shapeKey(merged) === shapeKey(a) ? a : merged;
}

/** Whether the cache holds the tensor and its column is addressable by int32 flat indices. */
function columnFits(cache: CleanCache | undefined, tensor: string): cache is CleanCache {
    if (cache === undefined || !cache.has(tensor)) return false;
    const { count, dims } = cache.columnData(tensor);
    return count * exampleSize(dims) < 2 ** 31;
}

function uniform(sources: readonly number[]): boolean {
    for (let i = 1; i < sources.length; i++) if (sources[i] !== sources[0]) return false;
    return true;
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function copyInto(data: NumericArray, at: number, act: Activation, size: number): void {
    if (act.box !== undefined) throw new Error('fused executor: a fed activation holds a box');
    const src = act.data;
    // TypedArray.set from a SharedArrayBuffer (the clean cache's) copies element by element with
    // atomics, ten times slower than a plain loop.
    if (src.buffer instanceof SharedArrayBuffer) {
        for (let i = 0; i < size; i++) (data as Float32Array)[at + i] = (src as Float32Array)[act.offset + i];
    } else {
        (data as Float32Array).set((src as Float32Array).subarray(act.offset, act.offset + size), at);
    }
}

function tooLarge(tensor: string): HypError {
    return new HypError(`the fused execution cannot address the chunk's rows of ${tensor} with 32-bit indices`, 'exec-fused-unsupported',
        undefined, 'use a smaller --chunk-size, or --exec staged');
}

/** The first NaN or infinity of float values, if any. */
function firstNonFinite(data: NumericArray): number | undefined {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) return undefined;
    // x·0 is 0 for every finite x and NaN otherwise: one branch-free pass on the normal path.
    let probe = 0;
    for (let i = 0; i < data.length; i++) probe += data[i] * 0;
    if (probe === 0) return undefined;
    return data.find(v => !Number.isFinite(v));
}
