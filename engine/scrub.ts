// The engine's entry point: a ScrubSpec in, one ScrubResult per hypothesis out. Preparation (model,
// G, dataset, inputs, tensor types, self-check) happens once per spec; each hypothesis is then
// planned and executed in chunks of roots and scored (DESIGN.md §4.1).
import { HypError, isHypError } from './errors.js';
import type { PhaseSeconds, ScrubResult } from './result.js';
import type { HypothesisSpec, ScrubSpec } from './spec.js';
import type { GraphG } from './graph/types.js';
import { countUses, executePlan } from './execute/executor.js';
import type { CleanCache } from './execute/clean-cache.js';
import type { Activation } from './execute/model-runner.js';
import { planScrub, type PlanNode } from './plan/planner.js';
import { Prng, Stream, permutation } from './util/prng.js';
import { behaviourLoss, resolvePosition, type OutputView } from './score/behaviours.js';
import { hull, wholeRegion, type Region } from './graph/region.js';
import { summarise, type ResultMeta, type RootValues } from './score/summary.js';
import { prepareScrub, type PreparedScrub, type PrepareOptions } from './prepare.js';
import { availableParallelism, freemem } from 'node:os';
import { formatByteSize } from './util/byte-size.js';
import { scrubInThreads } from './parallel/scrub-in-threads.js';
import { resolveExec, type ExecChoice } from './execute/exec-strategy.js';
import { fusedExecutorFor } from './execute/fused-executor.js';
import { DEFAULT_DEVICE_MEMORY, fusedChunkSize } from './execute/fused-sizing.js';

export interface ScrubOptions extends PrepareOptions {
    /** Names of the hypotheses to run; all when absent. */
    hypotheses?: string[];
    /** Overrides of every hypothesis's run options. */
    samples?: number;
    seed?: number;
    /** Requests per session run (results do not depend on it). */
    batchSize?: number;
    /** Roots planned and executed together (results do not depend on it); by default as many as the memory budget allows. */
    chunkSize?: number;
    /** Bytes the activations of one chunk may take (default 2 GiB); bounds the chunk size. */
    memoryBudget?: number;
    /** Keep per-root values in the result. */
    perExample?: boolean;
    /** How chunks execute (execute/exec-strategy.ts); default auto: fused on a GPU, staged on the CPU. */
    exec?: ExecChoice;
    /** Bytes of GPU memory a fused chunk may take (default 8 GiB; on the CPU, the memory budget). */
    deviceMemory?: number;
    onProgress?: (p: ScrubProgress) => void;
    /** Things a run's user should know before it runs (what would make it faster): one line each. */
    onNotice?: (line: string) => void;
    signal?: AbortSignal;
}

export interface ScrubProgress {
    hypothesis: string;
    /** 0..1 within this hypothesis. */
    fraction: number;
    /** Index of the hypothesis among those run, and how many run. */
    index: number;
    count: number;
}

const MIN_BATCH_SIZE = 32;
const MAX_BATCH_SIZE = 65_536;

/**
 * Requests per session run: as many as fit when every tensor of the model on the batch (what
 * onnxruntime could hold running the whole model on it; it reuses buffers, so it holds less)
 * takes a quarter of the memory budget, between 32 and 65,536. Small models then run a chunk in
 * a few runs; a large one stays within the budget (a fixed floor of 512 let the induction model
 * reach 4 GiB under a 2 GiB budget).
 */
export function batchSizeFor(prepared: PreparedScrub, opts: ScrubOptions): number {
    if (opts.batchSize !== undefined) return opts.batchSize;
    const fit = Math.floor((opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET) / 4 / Math.max(1, prepared.modelBytesPerExample));
    return Math.max(MIN_BATCH_SIZE, Math.min(MAX_BATCH_SIZE, fit));
}
export const DEFAULT_CHUNK_SIZE = 65_536;
export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;

/** Bands of positions a per-position output is computed in (scrubRoots). */
const POSITION_BANDS = 8;

/** Roots planned to size chunks: enough to see what a root costs, a small share of planning. */
const PROBE_ROOTS = 256;

/** The share of the memory budget the dataset-wide clean cache may take (sizingFor). */
const CACHE_SHARE = 0.4;

/** How a scrub holds its activations: roots per chunk, and the dataset-wide clean cache if it fits. */
export interface Sizing {
    chunkSize: number;
    cache: CleanCache | undefined;
    /**
     * The tensors the probe plan reads clean, or its cuts may read, that are worth fetching for
     * the whole dataset: with the cache, every example that runs fetches all of them, so that no
     * later chunk runs it again for one it lacks.
     */
    cleanTensors: ReadonlySet<string>;
    /** Every tensor the probe plan reads clean, or its cuts may read (a superset of cleanTensors). */
    readTensors: ReadonlySet<string>;
    /** Bytes the cache would take over the whole dataset, and the budget it did not fit; absent when cached. */
    uncached?: { cacheBytes: number; budget: number };
}

/**
 * Sizing from a probe plan of the run's first roots. The clean cache is used when the tensors the
 * plan reads clean, or its cuts may read (with those the cache already holds), take at most 40%
 * of the budget over the whole dataset. Chunks: per root, the bytes of every activation the plan keeps (each computed
 * request, and each clean one unless cached), within 40% of the budget less the cache (at least
 * 10%); batches are
 * sized so that onnxruntime's buffers take at most a quarter; the rest is the JavaScript heap, the
 * sessions and the copies onnxruntime's outputs go through (the induction example, with chunks at
 * half the budget, peaked at 2.08 GiB under 2 GiB). The probe sees fewer repeated examples than a
 * full chunk, so it overestimates, never under.
 */
export function sizingFor(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions): Sizing {
    const budget = opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    const { samples, seed } = runSettings(hypothesis, opts);
    const n = prepared.dataset.rows.length;
    const probe = Math.min(PROBE_ROOTS, samples);
    const { reads, computedBytes, cleanBytes } = probeReads(prepared, hypothesis, seed, probe);
    const cleanTensors = new Set<string>();
    for (const [t, count] of reads) {
        // A tensor the probe did not see read is taken to be read by half a root's worth of it.
        const examples = Math.min(n, (Math.max(count, 0.5) * samples) / probe);
        if (examples * prepared.modelBytesPerExample >= n * (prepared.tensorBytes.get(t) ?? 0)) cleanTensors.add(t);
    }
    const cache = prepared.cleanCache();
    const cacheBytes = cache.bytesWith(cleanTensors);
    const cached = cacheBytes <= CACHE_SHARE * budget;
    const held = computedBytes + (cached ? 0 : cleanBytes);
    const roots = Math.max(0.1 * budget, 0.4 * budget - (cached ? cacheBytes : 0)) / Math.max(1, held / probe);
    return {
        chunkSize: opts.chunkSize ?? Math.max(16, Math.min(DEFAULT_CHUNK_SIZE, Math.floor(roots))),
        cache: cached ? cache : undefined,
        cleanTensors,
        readTensors: new Set(reads.keys()),
        ...(cached ? {} : { uncached: { cacheBytes, budget } }),
    };
}

/**
 * What a run of `roots` roots would say before it starts, if anything: when the clean activations
 * its plan reads do not fit the cache and it runs in more than one chunk, every chunk runs the
 * model again on the examples it reads (the GPT-2-sized bench's l11_from_input: 14 chunks of 74
 * roots ran ~12,000 examples for 1,000 roots of a 2,000-row dataset, 11 forward passes of the
 * roots), so it names the budget that would keep them. `available`: bytes the machine has free.
 */
export function cacheNotice(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions, roots: number,
    available = freemem()): string | undefined {
    // A fused chunk's size comes from the device's memory (execute/fused-sizing.ts), not this sizing.
    if (opts.chunkSize !== undefined || resolveExec(opts.exec, prepared.runner.provider) === 'fused') return undefined;
    const sizing = sizingFor(prepared, hypothesis, opts);
    if (sizing.uncached === undefined) return undefined;
    const { workers } = threadsFor(prepared, opts, roots);
    const chunks = Math.ceil(roots / (workers > 1 ? threadChunkSize(sizing.chunkSize, workers) : sizing.chunkSize));
    if (chunks <= 1) return undefined;
    const { cacheBytes, budget } = sizing.uncached;
    const needed = Math.ceil(cacheBytes / CACHE_SHARE / 1024 ** 3);
    const fits = needed * 1024 ** 3 <= available ? '' : ` (more than the ${formatByteSize(available)} this machine has free)`;
    return `the clean activations ${hypothesis.name} reads take ${formatByteSize(cacheBytes)} over the dataset's ${prepared.dataset.rows.length} examples, `
        + `more than the clean cache's ${Math.round(CACHE_SHARE * 100)}% of the memory budget (${formatByteSize(budget)}): each of its ${chunks} chunks of roots `
        + `runs the model again on the examples it reads; --memory-budget ${needed}G would run each example once${fits}`;
}

/** Roots per chunk of each scrub thread: the chunk's activations are each thread's own, so the run's chunk is split between them. */
export function threadChunkSize(chunkSize: number, workers: number): number {
    return Math.max(16, Math.floor(chunkSize / workers));
}

/** What the probe plan of a hypothesis's first roots reads (sizingFor): its tensors read clean, and the bytes its live requests hold. */
interface ProbeReads {
    /**
     * Tensors the plan reads clean, by live clean requests (a cut's frontier or a sum cut's part
     * sums, which the run may read, count 0).
     */
    reads: ReadonlyMap<string, number>;
    /** Bytes of the live computed requests, and of the live clean ones. */
    computedBytes: number;
    cleanBytes: number;
}

/**
 * The probe plan's reads, planned once per prepared spec, hypothesis, seed and probe size: every
 * run of a hypothesis (each scrub of a benchmark, each chunk range of a file's run) is sized from
 * the same first roots, and planning them cost a tenth of a small model's scrub, before its threads
 * start. Weakly keyed, so that a hypothesis nobody holds (exploration's candidates) is dropped.
 */
const probeReadsCache = new WeakMap<PreparedScrub, WeakMap<HypothesisSpec, Map<string, ProbeReads>>>();

function probeReads(prepared: PreparedScrub, hypothesis: HypothesisSpec, seed: number, probe: number): ProbeReads {
    let byHypothesis = probeReadsCache.get(prepared);
    if (byHypothesis === undefined) probeReadsCache.set(prepared, byHypothesis = new WeakMap());
    let byRun = byHypothesis.get(hypothesis);
    if (byRun === undefined) byHypothesis.set(hypothesis, byRun = new Map());
    const key = `${seed}:${probe}:${hypothesis.options.ablation}:${hypothesis.options.unimportant}`;
    const known = byRun.get(key);
    if (known !== undefined) return known;
    const n = prepared.dataset.rows.length;
    const rootIds = Int32Array.from({ length: probe }, (_, i) => i);
    const plan = planScrub(prepared.g, prepared.planNodes(hypothesis), rootIds.map(r => rootExample(r, n, seed)), rootIds, {
        seed, ablation: hypothesis.options.ablation, unimportant: hypothesis.options.unimportant, datasetSize: n,
        cuts: prepared.cuts, sumCuts: prepared.sumCuts,
    });
    // Only what the scores read, directly or through computed requests: a cut leaves the requests
    // it replaced in the table, unread.
    const live = countUses(plan);
    // Every example that runs fetches the tensors worth fetching for the whole dataset, so that a
    // later chunk does not run it again for one of them. A tensor is, when the examples expected
    // to read it (from the probe, scaled to the run) would cost more to run through the model
    // again than fetching it for every example costs: a cut's frontier that few roots read (where
    // two parts happen to share an example) is fetched for those roots alone.
    const reads = new Map<string, number>();
    const bytes = (t: string) => prepared.tensorBytes.get(t) ?? 0;
    let computedBytes = 0, cleanBytes = 0;
    plan.table.requests.forEach((r, id) => {
        if (live[id] === 0) return;
        if (r.kind === 'clean') {
            reads.set(r.tensor, (reads.get(r.tensor) ?? 0) + 1);
            cleanBytes += bytes(r.tensor);
        }
        if (r.kind !== 'computed') return;
        computedBytes += bytes(r.tensor);
        for (const c of prepared.cuts.get(r.tensor) ?? []) for (const f of c.frontier) if (!reads.has(f)) reads.set(f, 0);
        for (const c of prepared.sumCuts.get(r.tensor) ?? []) if (!reads.has(c.partSums)) reads.set(c.partSums, 0);
    });
    const result = { reads, computedBytes, cleanBytes };
    byRun.set(key, result);
    return result;
}

/** Roots per chunk (sizingFor). */
export function chunkSizeFor(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions): number {
    return sizingFor(prepared, hypothesis, opts).chunkSize;
}

/** Scrubs every (selected) hypothesis of the spec. */
export async function scrub(spec: ScrubSpec, opts: ScrubOptions = {}): Promise<ScrubResult[]> {
    return forEachHypothesis(spec, opts, (prepared, h, index, count) => scrubHypothesis(prepared, h, opts, index, count));
}

/** Prepares the spec once, runs `fn` on each selected hypothesis in order, and releases the sessions. */
export async function forEachHypothesis<T>(spec: ScrubSpec, opts: ScrubOptions,
    fn: (prepared: PreparedScrub, hypothesis: HypothesisSpec, index: number, count: number) => Promise<T>): Promise<T[]> {
    const selected = selectHypotheses(spec, opts.hypotheses);
    const prepared = await prepareScrub(spec, opts);
    try {
        const results: T[] = [];
        for (const [index, hypothesis] of selected.entries()) {
            try {
                checkGraphNodes(prepared.g, hypothesis);
                results.push(await fn(prepared, hypothesis, index, selected.length));
            } catch (e) {
                throw inHypothesis(e, hypothesis);
            }
        }
        return results;
    } finally {
        await prepared.dispose();
    }
}

/**
 * Every G node the hypothesis names exists in the G the engine derived. They differ only where the
 * checker saw other shapes than the run did (the editor lowered a file before its model's probe
 * ended): a `.rest` the probe found empty is named as such.
 */
export function checkGraphNodes(g: GraphG, h: HypothesisSpec): void {
    const own = new Set(h.nodes.map(n => n.name));
    const named = h.nodes.flatMap(n => [n.graphNode, ...n.parents.filter(p => !own.has(p))]);
    for (const name of named) {
        if (g.nodes.has(name)) continue;
        const owner = name.endsWith('.rest') ? name.slice(0, -'.rest'.length) : undefined;
        const parts = owner === undefined ? [] : [...g.nodes.keys()].filter(n => n.startsWith(`${owner}.`));
        if (parts.length > 0) {
            throw new HypError(`${name} is empty: the parts of ${owner} (${parts.join(', ')}) cover every element of its tensor, so there is no rest to claim`,
                'split-invalid', undefined, 'claim the parts instead (hyp check says so once it has run the model for its shapes)');
        }
        throw new HypError(`G has no node ${name}`, 'graph-node-unknown', undefined, 'run hyp check on the file');
    }
}

/** A hypothesis's error names it and, when it has no location of its own (a dataset row), is located at the hypothesis. */
export function inHypothesis(e: unknown, h: HypothesisSpec): unknown {
    if (!isHypError(e) || e.code === 'cancelled') return e;
    const declared = h.source && e.location ? ` (${h.source.file}${h.source.line !== undefined ? `:${h.source.line}` : ''})` : '';
    return new HypError(`hypothesis ${h.name}${declared}: ${e.message}`, e.code, e.location ?? h.source, e.hint);
}

function selectHypotheses(spec: ScrubSpec, names: string[] | undefined): HypothesisSpec[] {
    if (!names || names.length === 0) return spec.hypotheses;
    return names.map(name => {
        const h = spec.hypotheses.find(x => x.name === name);
        if (!h) {
            throw new HypError(`no hypothesis named "${name}"`, 'unknown-hypothesis', undefined,
                `the file defines: ${spec.hypotheses.map(x => x.name).join(', ')}`);
        }
        return h;
    });
}

/** Plans, executes and scores one hypothesis. */
export async function scrubHypothesis(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions, index = 0, count = 1): Promise<ScrubResult> {
    const { samples, seed } = runSettings(hypothesis, opts);
    const notice = opts.onNotice && cacheNotice(prepared, hypothesis, opts, samples);
    if (notice) opts.onNotice!(notice);
    const values = await scrubRoots(prepared, hypothesis, opts, { from: 0, to: samples }, index, count);
    return summarise(values, resultMeta(prepared, hypothesis, samples, seed, opts.perExample ?? false));
}

/** The samples and seed a hypothesis runs with: the command line's, else the file's. */
export function runSettings(hypothesis: HypothesisSpec, opts: ScrubOptions): { samples: number; seed: number } {
    const samples = opts.samples ?? hypothesis.options.samples;
    const seed = opts.seed ?? hypothesis.options.seed;
    if (!Number.isInteger(samples) || samples < 2) throw new HypError(`samples must be an integer ≥ 2 (got ${samples})`, 'bad-option');
    // The generator mixes a seed as 32 bits: a larger one would repeat a smaller one's draws.
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new HypError(`seed must be an integer from 0 to 4294967295 (got ${seed})`, 'bad-option');
    return { samples, seed };
}

export function resultMeta(prepared: PreparedScrub, hypothesis: HypothesisSpec, samples: number, seed: number, perExample: boolean): ResultMeta {
    return {
        hypothesis: hypothesis.name,
        metric: prepared.spec.metric,
        ablation: hypothesis.options.ablation,
        unimportant: hypothesis.options.unimportant,
        provider: prepared.runner.provider,
        providerFallbacks: [...prepared.runner.fallbacks],
        samples,
        seed,
        perExample,
    };
}

/**
 * Scrubs roots `from` ≤ r < `to` of the hypothesis's run. A root's value depends only on the seed
 * and its index, so any partition of the roots (chunks, shards, threads) gives the same values.
 * Large runs on the CPU are split into contiguous blocks, one per scrub thread (engine/parallel/),
 * sharing one clean cache.
 */
export async function scrubRoots(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions,
    range: { from: number; to: number }, index = 0, count = 1): Promise<RootValues> {
    const started = performance.now();
    const { seed } = runSettings(hypothesis, opts);
    const sizing = sizingFor(prepared, hypothesis, opts);
    const total = range.to - range.from;
    const threads = threadsFor(prepared, opts, total);
    const progress = (fraction: number) => opts.onProgress?.({ hypothesis: hypothesis.name, index, count, fraction });
    let values: RootValues;
    // The fused path runs a chunk as one graph in this thread (its sessions are this runner's).
    const fused = resolveExec(opts.exec, prepared.runner.provider) === 'fused';
    if (threads.workers > 1 && !fused) {
        values = await scrubInThreads(prepared, hypothesis, { seed, range, sizing, opts, progress }, threads);
    } else {
        // A fused chunk is one run: its size comes from the device's memory (execute/fused-sizing.ts).
        const chunkSize = !fused || opts.chunkSize !== undefined ? sizing.chunkSize : fusedChunkSize(prepared, hypothesis, {
            ...runSettings(hypothesis, opts), hostChunk: sizing.chunkSize, rootExample,
            deviceMemory: opts.deviceMemory ?? (prepared.runner.provider === 'cpu' ? opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET : DEFAULT_DEVICE_MEMORY),
        });
        values = (await scrubBlock(prepared, hypothesis, {
            seed, range, chunkSize, batchSize: batchSizeFor(prepared, opts),
            cache: sizing.cache, cleanTensors: sizing.cleanTensors, onFraction: progress, fused,
            checkCancelled: () => {
                if (opts.signal?.aborted) throw new HypError('scrubbing was cancelled', 'cancelled');
            },
        })).values;
    }
    progress(1);
    return { ...values, seconds: (performance.now() - started) / 1000 };
}

/** Roots a scrub thread should have at least: below it, starting and warming a thread costs more than it saves. */
export const MIN_ROOTS_PER_THREAD = 500;
/**
 * Bytes of model tensors (roots × the model's bytes per example) a scrub thread should have at
 * least. A model as small as the toy's (110 bytes per example) scrubs 10,000 roots in a tenth of a
 * second, mostly the engine's own bookkeeping; two threads were slower there, not faster.
 */
export const MIN_MODEL_BYTES_PER_THREAD = 256 * 1024 ** 2;

/**
 * Above this many bytes of weights a run keeps one scrub thread, on every core's onnxruntime
 * threads: each scrub thread holds its own sessions, each with a copy of the weights its function
 * reads (the GPT-2-shaped bench model, 347 MB, held 7 GiB of sessions in one thread, and 1,000
 * roots would have started two), while a model that large spends its time in matrix products
 * that onnxruntime's intra-op threads split as well as scrub threads would.
 */
export const MAX_THREADED_WEIGHT_BYTES = 64 * 1024 ** 2;

/**
 * How a run uses the CPU's threads (`threads`, default every core): scrub threads, each with its
 * sessions on `intraOp` onnxruntime threads, so that threads × intra-op threads stay within it.
 * One thread (the calling one) for a GPU provider, a model of large weights, or too little work to share.
 */
export function threadsFor(prepared: PreparedScrub, opts: ScrubOptions, roots: number): { workers: number; intraOp: number } {
    const threads = opts.threads ?? availableParallelism();
    const workers = prepared.runner.provider !== 'cpu' || prepared.weightBytes > MAX_THREADED_WEIGHT_BYTES ? 1 : Math.max(1, Math.min(threads, Math.floor(roots / MIN_ROOTS_PER_THREAD),
        Math.floor((roots * prepared.modelBytesPerExample) / MIN_MODEL_BYTES_PER_THREAD)));
    return { workers, intraOp: opts.intraOpThreads ?? Math.max(1, Math.floor(threads / workers)) };
}

/** What one block of roots runs with: sized by the caller, for the share of the budget it has. */
export interface BlockSettings {
    seed: number;
    range: { from: number; to: number };
    chunkSize: number;
    batchSize: number;
    cache: CleanCache | undefined;
    cleanTensors: ReadonlySet<string>;
    checkCancelled: () => void;
    onFraction?: (fraction: number) => void;
    /** Execute each chunk as one fused graph (execute/fused-executor.ts) instead of staged runs. */
    fused?: boolean;
}

/**
 * Scrubs one block of roots in this thread, chunk by chunk. `cleanSeen` marks the dataset examples
 * whose clean activations the block read (a run counts the distinct ones over its blocks).
 */
export async function scrubBlock(prepared: PreparedScrub, hypothesis: HypothesisSpec, block: BlockSettings): Promise<{ values: RootValues; cleanSeen: Uint8Array }> {
    const started = performance.now();
    const { spec, runner, dataset } = prepared;
    const { seed, range, chunkSize, batchSize, cache, cleanTensors, checkCancelled } = block;
    const n = dataset.rows.length;
    const nodes: PlanNode[] = prepared.planNodes(hypothesis);
    const runsBefore = runner.sessionRuns;
    const fusedExecutor = block.fused ? fusedExecutorFor(prepared, hypothesis) : undefined;
    const fusedBefore = fusedExecutor?.runs ?? 0;
    const total = range.to - range.from;

    const clean = new Float64Array(total);
    const scrubbed = new Float64Array(total);
    const random = new Float64Array(total);
    const examples = new Int32Array(total);
    // Distinct examples whose clean activations the run reads, over all chunks.
    const cleanSeen = new Uint8Array(n);
    const phases: PhaseSeconds = { plan: 0, clean: 0, assemble: 0, local: 0, score: 0 };
    const stats = { requests: 0, computedRequests: 0, cleanExamples: 0, sessionRuns: 0, fusedRuns: 0, phaseSeconds: phases };

    for (let start = 0; start < total; start += chunkSize) {
        checkCancelled();
        const end = Math.min(total, start + chunkSize);
        const rootIds = Int32Array.from({ length: end - start }, (_, i) => range.from + start + i);
        const roots = rootIds.map(r => rootExample(r, n, seed));
        examples.set(roots, start);
        let t0 = performance.now();
        const plan = planScrub(prepared.g, nodes, roots, rootIds, {
            seed,
            ablation: hypothesis.options.ablation,
            unimportant: hypothesis.options.unimportant,
            datasetSize: n,
            cuts: prepared.cuts,
            sumCuts: prepared.sumCuts,
        });
        phases.plan += (performance.now() - t0) / 1000;
        stats.requests += plan.table.size;
        for (const r of plan.table.requests) {
            if (r.kind === 'computed') stats.computedRequests++;
            else if (r.kind === 'clean' && cleanSeen[r.example] === 0) {
                cleanSeen[r.example] = 1;
                stats.cleanExamples++;
            }
        }
        // The metric reads one position of a per-position output: the box each output request is
        // read in. Positions are taken in up to POSITION_BANDS bands, each a local function of its
        // own (sessions are built per band, not per position).
        const outDims = runner.typeOf(plan.table.get(plan.clean[0]).tensor).dims;
        const band = outDims.length < 2 ? 1 : Math.ceil(outDims[outDims.length - 2] / POSITION_BANDS);
        const positions = roots.map(x => resolvePosition(spec.metric.position, outDims, dataset.rows[x]) ?? -1);
        const outputReads = new Map<number, Region>();
        // One object per box (the executor keys its caches by them).
        const rank = outDims.length;
        const bandBoxes = new Map<number, Region>();
        const boxAt = (p: number): Region => {
            const from = p < 0 ? -1 : p - (p % band);
            let box = bandBoxes.get(from);
            if (box === undefined) {
                box = from < 0 ? wholeRegion(rank + 1)
                    : [null, ...outDims.map((n, a) => (a === rank - 2 ? [from, Math.min(n, from + band)] as const : null))];
                bandBoxes.set(from, box);
            }
            return box;
        };
        // Without a position the metric reads, every output is read whole (the executor's default).
        const perPosition = positions.some(p => p >= 0);
        for (let i = 0; perPosition && i < roots.length; i++) {
            for (const id of [plan.scrubbed[i], plan.random[i], plan.clean[i]]) {
                if (plan.table.get(id).kind !== 'computed') continue;
                const box = boxAt(positions[i]);
                const had = outputReads.get(id);
                outputReads.set(id, had === undefined || had === box ? box : hull(had, box));
            }
        }
        const acts = await (fusedExecutor?.execute ?? executePlan)(plan, prepared.g, runner, {
            outputReads: perPosition ? outputReads : undefined,
            chunk: { from: range.from + start, to: range.from + end },
            batchSize,
            checkCancelled,
            cleanCache: cache,
            cacheTensors: cleanTensors,
            timings: phases,
            onProgress: (done, all) => block.onFraction?.((start + (end - start) * (all === 0 ? 1 : done / all)) / total),
        });
        t0 = performance.now();
        for (let i = 0; i < roots.length; i++) {
            const x = roots[i];
            const position = positions[i] < 0 ? undefined : positions[i];
            const cleanOut = floatOutput(acts.get(plan.clean[i])!, position);
            // Every view is the one row the metric reads.
            const ctx = { label: prepared.labels ? prepared.labels[x] : undefined, position: undefined, clean: cleanOut };
            clean[start + i] = behaviourLoss(spec.metric, cleanOut, ctx);
            scrubbed[start + i] = behaviourLoss(spec.metric, floatOutput(acts.get(plan.scrubbed[i])!, position), ctx);
            random[start + i] = behaviourLoss(spec.metric, floatOutput(acts.get(plan.random[i])!, position), ctx);
        }
        phases.score += (performance.now() - t0) / 1000;
    }
    stats.sessionRuns = runner.sessionRuns - runsBefore;
    stats.fusedRuns = (fusedExecutor?.runs ?? 0) - fusedBefore;
    return { values: { from: range.from, clean, scrubbed, random, examples, stats, seconds: (performance.now() - started) / 1000 }, cleanSeen };
}

/**
 * The model output as float32 logits, which every behaviour reads: at `position` (on the
 * second-to-last axis) when given, the row there, wherever the activation holds a box of it.
 */
function floatOutput(act: Activation, position: number | undefined): OutputView {
    if (!(act.data instanceof Float32Array)) {
        throw new HypError(`the model output holds ${act.data.constructor.name.replace('Array', '')} values; behaviours read float32 logits`,
            'output-dtype', undefined, 'export the model with float32 logits as its first output');
    }
    if (position === undefined) return { data: act.data, offset: act.offset, dims: act.dims };
    const classes = act.dims[act.dims.length - 1];
    const held = act.box?.[act.dims.length - 2];
    return { data: act.data, offset: act.offset + (position - (held ? held[0] : 0)) * classes, dims: [classes] };
}

/** Root r's example: cycles through seeded permutations of the dataset, one per pass. */
export function rootExample(r: number, n: number, seed: number): number {
    return permutationFor(Math.floor(r / n), n, seed)[r % n];
}

const permutationCache = new Map<string, Int32Array>();
// The last permutation asked for: consecutive roots share it, and a key string per root showed
// up in profiles of small models.
let lastPermutation: { pass: number; n: number; seed: number; p: Int32Array } | undefined;
function permutationFor(pass: number, n: number, seed: number): Int32Array {
    if (lastPermutation !== undefined && lastPermutation.pass === pass && lastPermutation.n === n && lastPermutation.seed === seed) {
        return lastPermutation.p;
    }
    const key = `${seed}:${n}:${pass}`;
    let p = permutationCache.get(key);
    if (!p) {
        if (permutationCache.size > 16) permutationCache.clear();
        p = permutation(n, new Prng(seed, Stream.roots, pass));
        permutationCache.set(key, p);
    }
    lastPermutation = { pass, n, seed, p };
    return p;
}

