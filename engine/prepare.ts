// Everything a spec needs before any hypothesis runs, done once: the model and its graph G, the
// dataset and the model inputs built from it, labels, the type of every boundary tensor (from one
// probe run, so models without value_info work), the local-function self-check, and feature
// classes per interpretation node.
import { availableParallelism } from 'node:os';
import { loadDataset, type Dataset } from './dataset/dataset.js';
import { checkMetricRows, readLabels } from './dataset/metric-rows.js';
import { HypError } from './errors.js';
import { deriveG } from './graph/derive-g.js';
import { modelGraphFromProto } from './graph/model-graph.js';
import type { GraphG, ModelGraph } from './graph/types.js';
import { readModelFile } from './onnx/read.js';
import { applyRewritesToModel } from './onnx/rewrite-model.js';
import { rewriteInexactError, rewriteMismatches } from './runtime/rewrite-check.js';
import type { ModelProto, TensorProto } from 'onnx-buf';
import { buildModelInputs, type ModelInputs } from './execute/model-inputs.js';
import { inputPartValue } from './execute/input-parts.js';
import { OrtModelRunner, exampleSize, type ActivationType } from './execute/model-runner.js';
import { CleanCache } from './execute/clean-cache.js';
import { ScrubPool } from './parallel/scrub-pool.js';
import type { PlanNode } from './plan/planner.js';
import { probeTensorTypes, resolveProviders, type ProviderChoice } from './runtime/session.js';
import { cachedProbe } from './runtime/probe-model.js';
import { probeFeeds, refineModelGraph } from './graph/probe.js';
import { selfCheckLocalFunctions, verifiedCuts } from './runtime/self-check.js';
import { findCleanCuts } from './runtime/clean-cuts.js';
import type { CleanCut } from './graph/clean-cut.js';
import { partSumNodes, reducedDims, type SumCut } from './graph/sum-cut.js';
import type { ExampleType } from './runtime/session.js';
import { compileExpr, evaluateFeatures, featureClasses, type CompiledExpr, type FeatureFunctions } from './features/index.js';
import { loadFeatureFunctions } from './features/features-module.js';
import { needsLabel } from './score/behaviours.js';
import type { Expr, FeatureValue, HypothesisSpec, ScrubSpec } from './spec.js';

export interface PrepareOptions {
    /** Execution provider: tried in order with CPU as the fallback (DESIGN.md §4.1). */
    ep?: ProviderChoice;
    /**
     * CPU threads a scrub may use (default: every core): split between scrub threads and each
     * one's onnxruntime threads (scrub.ts, threadsFor).
     */
    threads?: number;
    /** onnxruntime threads per session, overriding the split of `threads`. */
    intraOpThreads?: number;
    /** Run the local-function self-check on a few examples before scrubbing (default true). */
    selfCheck?: boolean;
    /**
     * Feed local functions from clean-cut frontier tensors where a parent is one example's clean
     * activation (default true). Values agree with the uncut functions to float32 rounding; off,
     * every local function recomputes from its G-parents.
     */
    cleanCuts?: boolean;
    /**
     * Let each local function compute only the box of its output that its readers use, from the
     * boxes of its parents that box needs (graph/region-slice.ts). Values agree with whole local
     * functions to float32 rounding. Default: on, unless the model's tensors take less than
     * MIN_SLICED_MODEL_BYTES per example, where there is nothing to save.
     */
    sliceLocals?: boolean;
}

export interface PreparedScrub {
    spec: ScrubSpec;
    graph: ModelGraph;
    g: GraphG;
    dataset: Dataset;
    inputs: ModelInputs;
    runner: OrtModelRunner;
    /** Bytes of one example's activations of every boundary tensor (inputs, hooks, output): sizes memory use. */
    bytesPerExample: number;
    /**
     * Bytes of one example's values of every tensor of the model whose shape the file gives (what
     * onnxruntime allocates while running it): sizes batches.
     */
    modelBytesPerExample: number;
    /** Bytes of one example's activation, per boundary tensor. */
    tensorBytes: ReadonlyMap<string, number>;
    /** Bytes of the model's initializers (its weights): every session holds a copy of those it reads. */
    weightBytes: number;
    /** The clean cuts of the local functions the planner may use (empty when turned off). */
    cuts: ReadonlyMap<string, readonly CleanCut[]>;
    /** The sum cuts likewise (graph/sum-cut.ts). */
    sumCuts: ReadonlyMap<string, readonly SumCut[]>;
    /** Per example, the label (class or next token); null for label-free metrics. */
    labels: Int32Array | null;
    /** The hypothesis's nodes with feature classes computed over the dataset (cached per hypothesis). */
    planNodes(hypothesis: HypothesisSpec): PlanNode[];
    /**
     * The dataset-wide clean cache, shared by every chunk and hypothesis; a scrub uses it when
     * what it reads fits the budget (scrub.ts, sizingFor). Columns are allocated on first use.
     */
    cleanCache(): CleanCache;
    /**
     * Empties the clean cache, keeping its memory; the next scrub runs its clean pass again
     * (benchmarks time it). Not while a scrub runs.
     */
    emptyCleanCache(): void;
    /**
     * Scrub threads for this spec, each with sessions on `intraOp` onnxruntime threads: started on
     * first use and kept for later runs of the same size (a broken pool is replaced).
     */
    threadPool(workers: number, intraOp: number): ScrubPool;
    /** Releases the sessions and stops the scrub threads. */
    dispose(): Promise<void>;
}

/**
 * onnxruntime threads of the run's own sessions: every core unless told otherwise, as a run's
 * scrub threads (scrub.ts, threadsFor). onnxruntime's own default counts physical cores from
 * cpuinfo, and on a 2-vCPU VM it took one thread, which left a large model's single-threaded
 * scrub on half the machine (1.8 × slower on the GPT-2-sized bench).
 */
export function sessionThreads(opts: Pick<PrepareOptions, 'intraOpThreads' | 'threads'>): number {
    return opts.intraOpThreads ?? opts.threads ?? availableParallelism();
}

/** Loads and checks everything the spec refers to; every failure is a located HypError. */
export async function prepareScrub(spec: ScrubSpec, opts: PrepareOptions = {}): Promise<PreparedScrub> {
    const fileModel = readModelFile(spec.modelPath);
    const declaredGraph = modelGraphFromProto(fileModel, spec.modelPath);
    const dataset = loadDataset(spec.dataset.path);
    const functions = await loadFeatureFunctions(spec.featuresModule);
    const compiled = new Map<Expr, CompiledExpr>();
    const inputs = buildModelInputs(declaredGraph, dataset, spec.dataset, (expr, row) => {
        let f = compiled.get(expr);
        if (!f) compiled.set(expr, f = compileExpr(expr));
        return f({ lookup: name => (Object.hasOwn(row, name) ? row[name] as FeatureValue : undefined), functions });
    });
    // Real shapes where the file declares none, and which tensors carry the batch axis: G (its
    // `.rest` parts, its hook checks) is the one the language derived from the same probe.
    const refined = await refinedModelGraph(fileModel, declaredGraph, spec.modelPath, inputs);
    // G is derived on the model with its hooks' rewrites into sums of parts made in it, and the
    // engine runs that model (graph/rewrite.ts).
    const { g, problems, graph, rewrites } = deriveG(refined, spec.graph);
    const error = problems.find(p => p.severity === 'error');
    if (error) {
        const at = spec.graph.hooks.find(h => h.name === error.hook)?.source ?? { file: spec.modelPath };
        throw new HypError(error.message, error.code, at, error.suggestion ? `did you mean "${error.suggestion}"?` : undefined);
    }
    const model = applyRewritesToModel(fileModel, rewrites);
    const labels = needsLabel(spec.metric) || spec.dataset.label !== undefined ? readLabels(dataset, spec.dataset.label) : null;

    const providers = resolveProviders(opts.ep ?? 'cpu');
    const sessionOptions = { providers, intraOpThreads: sessionThreads(opts) };
    // A rewrite whose parts do not add up to its tensor on real rows is refused, not scrubbed.
    const inexact = (await rewriteMismatches(model, rewrites, inputs, sessionOptions))[0];
    if (inexact !== undefined) {
        throw rewriteInexactError(inexact, spec.graph.hooks.find(h => h.name === inexact.hook), spec.modelPath,
            e => ({ file: dataset.path, line: dataset.rowLines[e] }));
    }
    const probeFeeds = Object.fromEntries(inputs.names.map(name => [name, inputs.batch(name, Int32Array.of(0))]));
    const types = await probeTensorTypes(model, g.computedTensors, probeFeeds, inputs, sessionOptions);
    // Every row's label and position, not only the roots a run draws.
    checkMetricRows(spec.metric, dataset, labels, types.get(graph.outputs[0])!.dims);
    // Cuts only save time: if finding them fails, every local function runs uncut.
    const parentTypes = new Map<string, ExampleType>(types);
    for (const n of inputs.names) parentTypes.set(n, { dtype: inputs.dtype(n), dims: [...inputs.dims(n)] });
    const found = opts.cleanCuts ?? true
        ? await findCleanCuts(model, g, inputs, sessionOptions, parentTypes).catch(() => undefined)
        : undefined;
    for (const [t, type] of found?.types ?? []) types.set(t, type);
    const graphBytes = graphBytesPerExample(graph);
    const runner = new OrtModelRunner(model, g, inputs, types, sessionOptions, opts.sliceLocals ?? graphBytes >= MIN_SLICED_MODEL_BYTES, graph.constants);
    runner.locateExample = example => ({ file: dataset.path, line: dataset.rowLines[example] });
    // A sum cut's per-part sums are computed by nodes added to the clean pass's model.
    for (const [partSums, r] of found?.reductions ?? []) {
        const dims = types.get(r.tensor)!.dims;
        const parts = g.nodesOfTensor(r.tensor).length;
        const added = partSumNodes(r, partSums, runner.partOwners(r.tensor), parts, dims);
        runner.addCleanNodes(added.nodes, added.initializers);
        types.set(partSums, { dtype: 'float32', dims: [parts, ...reducedDims(dims, r)] });
    }
    const checkExamples = Int32Array.from({ length: Math.min(4, dataset.rows.length) }, (_, i) => i);
    if (opts.selfCheck ?? true) await selfCheckLocalFunctions(runner, g, checkExamples);
    const { cuts, sumCuts } = found === undefined
        ? { cuts: new Map<string, CleanCut[]>(), sumCuts: new Map<string, SumCut[]>() }
        : await verifiedCuts(runner, g, checkExamples, found.cuts, found.sumCuts);

    const tensorBytes = new Map([...types.entries(), ...inputs.names.map(n => [n, { dtype: inputs.dtype(n), dims: [...inputs.dims(n)] }] as const)]
        .map(([name, t]) => [name, exampleSize(t.dims) * bytesPerElement(t.dtype)]));
    const bytesPerExample = [...tensorBytes.values()].reduce((a, b) => a + b, 0);
    const modelBytesPerExample = bytesPerExample + graphBytes;
    // Weakly keyed: exploration plans hundreds of candidate hypotheses against one prepared spec,
    // each with feature classes over the dataset, and keeps none of them.
    const cache = new WeakMap<HypothesisSpec, PlanNode[]>();
    let cleanCache: CleanCache | undefined;
    let pool: ScrubPool | undefined;
    const cacheTypes = new Map<string, ActivationType>(types);
    for (const n of inputs.names) cacheTypes.set(n, { dtype: inputs.dtype(n), dims: [...inputs.dims(n)] });
    const weightBytes = model.graph?.initializer.reduce((sum, t) => sum + initializerBytes(t), 0) ?? 0;
    return {
        spec, graph, g, dataset, inputs, runner, labels, cuts, sumCuts, bytesPerExample, modelBytesPerExample, tensorBytes, weightBytes,
        planNodes(hypothesis) {
            let nodes = cache.get(hypothesis);
            if (!nodes) {
                nodes = computePlanNodes(hypothesis, dataset, inputs, g, runner, functions);
                cache.set(hypothesis, nodes);
            }
            return nodes;
        },
        cleanCache() {
            return cleanCache ??= new CleanCache(runner, cacheTypes, dataset.rows.length);
        },
        emptyCleanCache() {
            // Emptied, not dropped: scrub threads free their views of a dropped cache's shared
            // buffers only when they next collect garbage, and the induction benchmark held two
            // caches at once (2.7 GiB) before they did.
            cleanCache?.empty();
        },
        threadPool(workers, intraOp) {
            if (pool !== undefined && (pool.broken || pool.size !== workers || pool.intraOp !== intraOp)) {
                void pool.dispose();
                pool = undefined;
            }
            // The main thread checked the local functions already; the threads load what it loaded.
            // Only the options that cross to a thread (a ScrubOptions also holds callbacks); threads run on the CPU.
            return pool ??= new ScrubPool(spec, {
                ep: 'cpu', intraOpThreads: intraOp, selfCheck: false, cleanCuts: opts.cleanCuts, sliceLocals: opts.sliceLocals,
            }, workers);
        },
        async dispose() {
            await Promise.all([runner.dispose(), pool?.dispose()]);
            pool = undefined;
        },
    };
}

/** The model graph refined by a probe run on the first two examples; the declared one when the probe cannot run. */
async function refinedModelGraph(model: ModelProto, graph: ModelGraph, path: string, inputs: ModelInputs): Promise<ModelGraph> {
    try {
        return refineModelGraph(graph, await cachedProbe(model, graph, path, probeFeeds(inputs)));
    } catch {
        // A model that cannot run at all fails below with its own located error.
        return graph;
    }
}

/** Feature values per node and example, then classes (value → examples) for resampling. */
function computePlanNodes(hypothesis: HypothesisSpec, dataset: Dataset, inputs: ModelInputs, g: GraphG, runner: OrtModelRunner, functions: FeatureFunctions): PlanNode[] {
    const values = evaluateFeatures(hypothesis, dataset.rows, {
        functions,
        locate: row => ({ file: dataset.path, line: dataset.rowLines[row] }),
        // The executor's own ownership map: feature values and assembled tensors cannot disagree.
        inputPart: (part, example) => inputPartValue(g, inputs, tensor => runner.partOwners(tensor), part, example),
    });
    return hypothesis.nodes.map(node => ({
        name: node.name,
        graphNode: node.graphNode,
        parents: node.parents,
        classes: node.feature === null ? null : featureClasses(values.get(node.name)!),
    }));
}

/**
 * Below this many bytes of tensors per example, local functions are not sliced: the toy model (a
 * few hundred bytes) has nothing to save, and working out the boxes cost a tenth of its scrub.
 */
export const MIN_SLICED_MODEL_BYTES = 64 * 1024;

/** Bytes of one example's values of every tensor whose shape the model file gives. */
function graphBytesPerExample(graph: ModelGraph): number {
    let bytes = 0;
    for (const t of graph.tensors.values()) {
        if (t.kind === 'initializer' || !t.shape || !t.dtype || t.shape.slice(1).some(d => typeof d !== 'number')) continue;
        bytes += exampleSize(t.shape.slice(1) as number[]) * bytesPerElement(t.dtype);
    }
    return bytes;
}

/** An initializer's bytes, whichever field holds its values. */
function initializerBytes(t: TensorProto): number {
    return t.rawData.length + 4 * (t.floatData.length + t.int32Data.length) + 8 * (t.int64Data.length + t.doubleData.length + t.uint64Data.length);
}

function bytesPerElement(dtype: string): number {
    return dtype === 'float64' || dtype === 'int64' ? 8 : dtype === 'bool' || dtype === 'uint8' || dtype === 'int8' ? 1 : dtype.endsWith('16') ? 2 : 4;
}
