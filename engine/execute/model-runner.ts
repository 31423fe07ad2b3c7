// The executor's view of the model: clean activations, local functions and ablation constants.
// The onnxruntime implementation keeps one session per local function variant (parent list, box
// of the output, parents fed stacked), created on first use and reused for every batch.
import * as ort from 'onnxruntime-node';
import type { ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import type { GraphG } from '../graph/types.js';
import { extractLocalFunction, withExtraOutputs, withNodes } from '../graph/local-function.js';
import { writeModel } from '../onnx/read.js';
import { createSession } from '../runtime/session.js';
import type { ProviderName } from '../runtime/session.js';
import { HypError, type SourceLocation } from '../errors.js';
import type { TensorType } from '../onnx/dtype.js';
import { partOwners } from './masks.js';
import type { ModelInputs } from './model-inputs.js';
import { sliceLocalFunction, type FullDims } from '../graph/region-slice.js';
import { partBoxes, regionKey, wholeRegion, type Region } from '../graph/region.js';
import { probeFullDims } from '../runtime/tensor-dims.js';
import { cropBatch, regionMismatch } from './boxes.js';
import { stackedName, withStackedInputs } from '../graph/stacked-inputs.js';
import { ModelAncestry } from '../graph/pruned-model.js';

// The typed-array helpers live apart, so that code that builds inputs without running the model
// (the language's checks) does not load onnxruntime.
export { allocTyped, elementBytes, exampleSize, typedView, type Activation, type NumericArray } from './typed-arrays.js';
import { allocTyped, exampleSize, indexOfNonFinite, type Activation, type NumericArray } from './typed-arrays.js';

export interface ModelRunner {
    /** Clean activations of `tensors` on `examples`; activation b is at offset b × size. */
    clean(examples: Int32Array, tensors: readonly string[]): Promise<Map<string, Activation>>;
    /**
     * The local function of `tensor` on a batch of stacked parent activations; with a region, only
     * that box of each output is computed (and returned), and parents are fed as the boxes
     * `slicing.inputRegions` gives. A parent marked in `stacked` is fed as parts along a new axis
     * 1 (a sum cut's per-part sums), which the function sums.
     */
    local(tensor: string, parents: readonly string[], feeds: readonly Activation[], region?: Region, stacked?: readonly boolean[]): Promise<Activation>;
    /** A tensor's dtype and one example's dims (no batch axis). */
    typeOf(tensor: string): ActivationType;
    /**
     * Whether a clean run fetching `fetched` computes `tensor` anyway (the pruned model it runs
     * holds its producer). Optional: a runner without it runs the whole model every time.
     */
    computedAlongside?(fetched: readonly string[]): (tensor: string) => boolean;
    /** Present when local functions can be asked for regions of their output (graph/region-slice.ts). */
    slicing?: LocalSlicing;
    /** The mean (over the dataset) or zero activation of a tensor, for the ablation modes. */
    constant(tensor: string, value: 'mean' | 'zero'): Promise<Activation>;
    /** The index into `GraphG.nodesOfTensor(tensor)` owning each element of one example. */
    partOwners(tensor: string): Uint16Array;
}

export interface LocalSlicing {
    /**
     * Per parent, the region the local function reads to compute `region` (undefined: the whole
     * parent); `stacked` as for `local`, whose variant this prepares.
     */
    inputRegions(tensor: string, parents: readonly string[], region: Region, stacked?: readonly boolean[]): Promise<(Region | undefined)[]>;
    /** Each part's bounding box in a split tensor, in GraphG.nodesOfTensor order (batch axis first). */
    partBoxes(tensor: string): (Region | undefined)[];
    /**
     * Whether the variant for this region exists already (its session built and checked); when
     * absent, `inputRegions` builds it. Optional: a runner without it is taken to have none.
     */
    hasVariant?(tensor: string, parents: readonly string[], region: Region, stacked?: readonly boolean[]): boolean;
}

export interface ActivationType {
    dtype: string;
    /** One example's dims (no batch axis). */
    dims: number[];
}

/** A local function's variant: its tensor, parent list (cut or not), output region and parents fed stacked. */
function variantKey(tensor: string, parents: readonly string[], region: Region | undefined, stacked?: readonly boolean[]): string {
    return `${tensor}\u0000${parents.join('\u0000')}\u0000${region === undefined ? '' : regionKey(region)}\u0000${stacked?.map(Number).join('') ?? ''}`;
}

/** The onnxruntime-backed runner over one model, one dataset and one G. */
export class OrtModelRunner implements ModelRunner {
    sessionRuns = 0;
    provider = 'cpu';
    /** Where a dataset example is in its file, for the error of an activation that is not finite on it. */
    locateExample?: (example: number) => SourceLocation;
    readonly fallbacks: string[] = [];
    private full: ort.InferenceSession | undefined;
    /** Sessions of the model pruned to what a clean run fetches, by node set (graph/pruned-model.ts). */
    private readonly prunedSessions = new Map<string, Promise<ort.InferenceSession>>();
    private ancestry: ModelAncestry | undefined;
    /** Whether clean runs that need few of the model's nodes run a model pruned to them (tests compare). */
    pruneClean = true;
    private readonly locals = new Map<string, Promise<LocalVariant>>();
    private readonly boxes = new Map<string, (Region | undefined)[]>();
    private fullDims: Promise<Map<string, FullDims> | undefined> | undefined;
    /** Sliced local functions that did not reproduce their region on the check examples, and ran whole. */
    readonly sliceFailures: string[] = [];
    readonly slicing: LocalSlicing | undefined;
    private readonly owners = new Map<string, Uint16Array>();
    private readonly constants = new Map<string, Activation>();
    private readonly extraNodes: NodeProto[] = [];
    private readonly extraInitializers: TensorProto[] = [];

    constructor(
        private readonly model: ModelProto,
        private readonly g: GraphG,
        private readonly inputs: ModelInputs,
        /**
         * dtype and dims of every hook and output tensor and of every clean-cut frontier tensor,
         * from probe runs: the clean pass can return each of them.
         */
        private readonly types: ReadonlyMap<string, ActivationType>,
        private readonly sessionOptions: { providers: ProviderName[]; intraOpThreads?: number },
        /** Whether local functions compute only the regions of their output that are read. */
        slicing = true,
        /**
         * Values of small tensors without the batch axis the probe saw (a causal mask, slice
         * bounds computed from shapes): slicing rules read them like constants.
         */
        private readonly probed?: ReadonlyMap<string, readonly number[]>,
    ) {
        this.slicing = slicing ? {
            inputRegions: async (tensor, parents, region, stacked) => (await this.variant(tensor, parents, region, stacked)).inputRegions,
            hasVariant: (tensor, parents, region, stacked) => this.locals.has(variantKey(tensor, parents, region, stacked)),
            partBoxes: tensor => {
                let boxes = this.boxes.get(tensor);
                if (boxes === undefined) {
                    boxes = partBoxes(this.partOwners(tensor), this.typeOf(tensor).dims, this.g.nodesOfTensor(tensor).length);
                    this.boxes.set(tensor, boxes);
                }
                return boxes;
            },
        } : undefined;
    }

    clean(examples: Int32Array, tensors: readonly string[]): Promise<Map<string, Activation>> {
        return this.cleanRun(examples, tensors);
    }

    /** `clean` for the runner's own checks, which are not a scrub's clean pass. */
    private async cleanRun(examples: Int32Array, tensors: readonly string[]): Promise<Map<string, Activation>> {
        const result = new Map<string, Activation>();
        const fetches: string[] = [];
        for (const t of tensors) {
            if (this.inputs.has(t)) result.set(t, this.inputs.batch(t, examples));
            else fetches.push(t);
        }
        if (fetches.length === 0) return result;
        const pruned = this.pruneFor(fetches);
        const session = pruned === undefined ? await this.fullSession() : await this.prunedSession(pruned);
        const feeds: Record<string, ort.Tensor> = {};
        // A pruned model reads only some of the inputs, and onnxruntime refuses feeds it lacks.
        for (const name of this.inputs.names) {
            if (session.inputNames.includes(name)) feeds[name] = toOrt(this.inputs.batch(name, examples), examples.length, this.inputs.dtype(name));
        }
        const out = await this.run(session, feeds, fetches, examples);
        for (const t of fetches) result.set(t, fromOrt(out[t]));
        return result;
    }

    async local(tensor: string, parents: readonly string[], feeds: readonly Activation[], region?: Region, stacked?: readonly boolean[]): Promise<Activation> {
        const { session, boxed } = await this.variant(tensor, parents, region, stacked);
        const out = await this.runLocal(session, tensor, parents, feeds, stacked);
        // A variant left whole (not sliceable, or its slice failed the check) still answers with
        // the box asked for: the executor lays out and reads its outputs as that box.
        if (region === undefined || boxed || region.every(r => r === null)) return out;
        const batch = out.data.length / exampleSize(out.dims);
        return cropBatch(out, batch, region);
    }

    private async runLocal(session: ort.InferenceSession, tensor: string, parents: readonly string[], feeds: readonly Activation[],
        stacked?: readonly boolean[]): Promise<Activation> {
        const batch = feeds.length === 0 ? 0 : feeds[0].data.length / exampleSize(feeds[0].dims);
        const ortFeeds: Record<string, ort.Tensor> = {};
        parents.forEach((p, k) => { ortFeeds[stacked?.[k] ? stackedName(p) : p] = toOrt(feeds[k], batch, this.typeOf(p).dtype); });
        const out = await this.run(session, ortFeeds, [tensor]);
        return fromOrt(out[tensor]);
    }

    /**
     * One session per parent list (a clean cut of a local function is a smaller model), output
     * region (a sliced one computes less) and set of parents fed stacked by part.
     */
    private variant(tensor: string, parents: readonly string[], region: Region | undefined, stacked?: readonly boolean[]): Promise<LocalVariant> {
        const key = variantKey(tensor, parents, region, stacked);
        let variant = this.locals.get(key);
        if (variant === undefined) this.locals.set(key, variant = this.buildVariant(tensor, parents, region, stacked ?? parents.map(() => false)));
        return variant;
    }

    private async buildVariant(tensor: string, parents: readonly string[], region: Region | undefined, stacked: readonly boolean[]): Promise<LocalVariant> {
        const sub = extractLocalFunction(this.model, tensor, parents, this.allTypes());
        const whole = async (): Promise<LocalVariant> => ({
            session: await this.createSession(writeModel(withStackedInputs(sub, stacked)), false),
            inputRegions: parents.map(() => undefined),
            boxed: false,
        });
        const dims = this.slicing === undefined ? undefined : await (this.fullDims ??= probeFullDims(this.model, this.inputs, this.sessionOptions).catch(() => undefined));
        const outDims = dims?.get(tensor);
        if (dims === undefined || outDims === undefined) return whole();
        // Slicing only saves time: a rewrite that fails, or does not reproduce the region on a few
        // examples, leaves the local function whole.
        let sliced;
        try {
            // Callers that pass no region (the self-check, the naive reference) feed whole parents.
            sliced = sliceLocalFunction(sub, tensor, region ?? wholeRegion(outDims.length), t => dims.get(t), region !== undefined, t => this.probed?.get(t));
        } catch (e) {
            this.sliceFailures.push(`${tensor}: ${(e as Error).message}`);
            return whole();
        }
        if (!sliced.sliced) return whole();
        const variant = {
            session: await this.createSession(writeModel(withStackedInputs(sliced.model, stacked)), false),
            inputRegions: sliced.inputRegions,
            boxed: true,
        };
        const reference = await whole();
        let failure: string;
        try {
            const examples = Int32Array.from({ length: Math.min(4, this.inputs.count) }, (_, i) => i);
            const clean = await this.cleanRun(examples, parents);
            // A stacked parent is fed as one part: its clean value.
            const asFed = (f: Activation, k: number): Activation => (stacked[k] ? { ...f, dims: [1, ...f.dims] } : f);
            const feeds = parents.map(p => clean.get(p)!);
            const cropped = feeds.map((f, k) => asFed(cropBatch(f, examples.length, sliced.inputRegions[k]), k));
            const got = await this.runLocal(variant.session, tensor, parents, cropped, stacked);
            const want = await this.runLocal(reference.session, tensor, parents, feeds.map(asFed), stacked);
            const off = regionMismatch(got, want, region ?? wholeRegion(outDims.length));
            if (off === undefined) {
                await reference.session.release();
                return variant;
            }
            failure = `differs by ${off}`;
        } catch (e) {
            failure = (e as Error).message;
        }
        this.sliceFailures.push(`${tensor} <- ${parents.join(', ')}: ${failure}`);
        await variant.session.release();
        return reference;
    }

    async constant(tensor: string, value: 'mean' | 'zero'): Promise<Activation> {
        const key = `${value}:${tensor}`;
        const known = this.constants.get(key);
        if (known) return known;
        const t = this.typeOf(tensor);
        const size = exampleSize(t.dims);
        let act: Activation;
        if (value === 'zero') {
            act = { data: allocTyped(t.dtype, size), offset: 0, dims: t.dims };
        } else {
            if (t.dtype !== 'float32' && t.dtype !== 'float64') {
                throw new HypError(`mean ablation of ${tensor} is undefined: it holds ${t.dtype} values`, 'ablation-mean-integer',
                    undefined, 'use ablation resample or zero, or do not leave this tensor unimportant');
            }
            act = await this.datasetMean(tensor, t);
        }
        this.constants.set(key, act);
        return act;
    }

    /**
     * Adds nodes computing extra tensors the clean pass can return (a sum cut's per-part sums);
     * their types must be in `types`. Only before the first clean run: the full session is built once.
     */
    addCleanNodes(nodes: readonly NodeProto[], initializers: readonly TensorProto[]): void {
        if (this.full !== undefined || this.prunedSessions.size > 0) throw new Error('addCleanNodes after a clean session was created');
        this.ancestry = undefined;
        this.extraNodes.push(...nodes);
        this.extraInitializers.push(...initializers);
    }

    partOwners(tensor: string): Uint16Array {
        let owner = this.owners.get(tensor);
        if (owner === undefined) {
            const coverages = this.g.nodesOfTensor(tensor).map(n => {
                const c = this.g.nodes.get(n)!.tensors.find(t => t.tensor === tensor);
                if (!c) throw new Error(`G node ${n} does not cover ${tensor}`);
                return c.coverage;
            });
            owner = partOwners(tensor, this.typeOf(tensor).dims, coverages);
            this.owners.set(tensor, owner);
        }
        return owner;
    }

    /** Mean over up to MEAN_EXAMPLES examples (the first ones of the dataset, in file order). */
    private async datasetMean(tensor: string, t: ActivationType): Promise<Activation> {
        const n = Math.min(this.inputs.count, MEAN_EXAMPLES);
        const size = exampleSize(t.dims);
        const sum = new Float64Array(size);
        for (let start = 0; start < n; start += 256) {
            const examples = Int32Array.from({ length: Math.min(256, n - start) }, (_, i) => start + i);
            const act = (await this.clean(examples, [tensor])).get(tensor)!;
            for (let b = 0; b < examples.length; b++) {
                for (let i = 0; i < size; i++) sum[i] += Number(act.data[act.offset + b * size + i]);
            }
        }
        const data = allocTyped(t.dtype, size) as Float32Array;
        for (let i = 0; i < size; i++) data[i] = sum[i] / n;
        return { data, offset: 0, dims: t.dims };
    }

    typeOf(tensor: string): ActivationType {
        const t = this.inputs.has(tensor) ? { dtype: this.inputs.dtype(tensor), dims: [...this.inputs.dims(tensor)] } : this.types.get(tensor);
        if (!t) throw new Error(`no type known for tensor ${tensor}`);
        return t;
    }

    /** Every boundary's type as the graph code wants it: dims with the batch axis first. */
    private allTypes(): Map<string, TensorType> {
        const all = new Map<string, TensorType>();
        for (const [name, t] of this.types) all.set(name, { dtype: t.dtype, dims: ['batch', ...t.dims] });
        for (const name of this.inputs.names) all.set(name, { dtype: this.inputs.dtype(name), dims: ['batch', ...this.inputs.dims(name)] });
        return all;
    }

    private async fullSession(): Promise<ort.InferenceSession> {
        if (this.full === undefined) {
            this.full = await this.createSession(writeModel(withExtraOutputs(this.cleanModel(), this.cleanOutputs(), this.allTypes())));
        }
        return this.full;
    }

    /** The model clean runs run: the file's, with the nodes computing extra clean tensors. */
    private cleanModel(): ModelProto {
        return this.extraNodes.length > 0 ? withNodes(this.model, this.extraNodes, this.extraInitializers) : this.model;
    }

    /** Every tensor a clean run can return. */
    private cleanOutputs(): string[] {
        return [...new Set([...this.g.computedTensors, ...this.types.keys()])];
    }

    /** Pruned models built so far. */
    get prunedModels(): number {
        return this.prunedSessions.size;
    }

    computedAlongside(fetched: readonly string[]): (tensor: string) => boolean {
        const pruned = this.pruneFor(fetched.filter(t => !this.inputs.has(t)));
        if (pruned === undefined) return () => true;
        return t => this.inputs.has(t) || this.ancestry!.produces(pruned.mask, t);
    }

    /**
     * The nodes a clean run fetching `fetches` needs, when they are few enough to be worth a
     * session of their own: at most PRUNED_MAX_SHARE of the model's nodes, and at most
     * MAX_PRUNED_SESSIONS node sets per runner (each session holds the weights it reads).
     */
    private pruneFor(fetches: readonly string[]): { key: string; mask: Uint8Array } | undefined {
        if (fetches.length === 0 || !this.pruneClean) return undefined;
        const ancestry = this.ancestry ??= new ModelAncestry(this.cleanModel());
        const { mask, kept } = ancestry.nodesFor(fetches);
        if (kept > PRUNED_MAX_SHARE * ancestry.nodeCount) return undefined;
        const key = Buffer.from(mask).toString('base64');
        if (!this.prunedSessions.has(key) && this.prunedSessions.size >= MAX_PRUNED_SESSIONS) return undefined;
        return { key, mask };
    }

    private prunedSession({ key, mask }: { key: string; mask: Uint8Array }): Promise<ort.InferenceSession> {
        let session = this.prunedSessions.get(key);
        if (session === undefined) {
            const outputs = this.cleanOutputs().filter(t => this.ancestry!.produces(mask, t));
            this.prunedSessions.set(key, session = this.createSession(writeModel(this.ancestry!.pruned(mask, outputs))));
        }
        return session;
    }

    /** `memoryArena` false for local functions: there are many of them (session.ts, SessionOptions). */
    private async createSession(bytes: Uint8Array, memoryArena = true): Promise<ort.InferenceSession> {
        const created = await createSession(bytes, { ...this.sessionOptions, memoryArena });
        this.provider = created.provider;
        for (const f of created.fallbacks) if (!this.fallbacks.includes(f)) this.fallbacks.push(f);
        return created.session;
    }

    private async run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches: string[],
        examples?: Int32Array): Promise<Record<string, ort.Tensor>> {
        this.sessionRuns++;
        const out = await session.run(feeds, fetches);
        for (const name of fetches) checkFinite(name, out[name], examples, this.locateExample);
        return out;
    }

    /**
     * The whole local function of a variant as a model, stacked parents summed in it: the fused
     * executor inlines it into a chunk's graph (fused-graph.ts).
     */
    localModel(tensor: string, parents: readonly string[], stacked: readonly boolean[]): ModelProto {
        return withStackedInputs(extractLocalFunction(this.model, tensor, parents, this.allTypes()), stacked);
    }

    /** A session on this runner's providers for a model it did not build (a fused graph); released with the runner. */
    async newSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
        const session = await this.createSession(bytes);
        this.adopted.push(session);
        return session;
    }

    private readonly adopted: ort.InferenceSession[] = [];

    /** Releases every session. */
    async dispose(): Promise<void> {
        for (const s of this.adopted.splice(0)) await s.release();
        await this.full?.release();
        for (const s of this.prunedSessions.values()) await (await s.catch(() => undefined))?.release();
        this.prunedSessions.clear();
        for (const v of this.locals.values()) await (await v.catch(() => undefined))?.session.release();
        this.locals.clear();
        this.full = undefined;
    }
}

const MEAN_EXAMPLES = 1024;

/**
 * A clean run gets a pruned model when it needs at most this share of the model's nodes: then the
 * run saves more than a session of its own costs (paren's draws of layer-1 nodes need under half
 * of its nodes). The GPT-2-shaped bench model's draws of layer-10 heads need layers 0–10's
 * attention, most of its nodes: a pruned session there would hold 300 MB more weights to save a
 * tenth of a clean run.
 */
const PRUNED_MAX_SHARE = 0.8;
/** Pruned models per runner at most: each holds a copy of the weights it reads. */
const MAX_PRUNED_SESSIONS = 8;

interface LocalVariant {
    session: ort.InferenceSession;
    inputRegions: (Region | undefined)[];
    /** Whether the session returns just the region asked for (else the whole tensor). */
    boxed: boolean;
}

/** A NaN or infinite activation stops the scrub, naming the tensor (and the example, on a clean run). */
function checkFinite(name: string, t: ort.Tensor, examples: Int32Array | undefined, locate?: (example: number) => SourceLocation): void {
    const data = t.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
    const i = indexOfNonFinite(data);
    if (i >= 0) {
        const size = data.length / t.dims[0];
        const example = examples?.[Math.floor(i / size)];
        const where = example !== undefined ? ` on dataset example ${example} (0-based row)` : ' on scrubbed inputs';
        throw new HypError(`the model produced ${data[i]} in tensor ${name}${where}`, 'non-finite-activation', example !== undefined ? locate?.(example) : undefined,
            'check the model and the dataset inputs; scrubbed activations mix examples, so a numerically fragile model can overflow');
    }
}

function toOrt(act: Activation, batch: number, dtype: string): ort.Tensor {
    const size = exampleSize(act.dims);
    const data = act.offset === 0 && act.data.length === size * batch ? act.data : act.data.slice(act.offset, act.offset + size * batch);
    return new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, [batch, ...act.dims]);
}

function fromOrt(t: ort.Tensor): Activation {
    return { data: t.data as NumericArray, offset: 0, dims: t.dims.slice(1) };
}

