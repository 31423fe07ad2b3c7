// onnxruntime sessions: choosing an execution provider by trying them in order (DESIGN.md §4.1),
// with options that keep results reproducible, and one probe run that types every boundary tensor.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { writeModel } from '../onnx/read.js';
import { withExtraOutputs } from '../graph/local-function.js';
import { HypError } from '../errors.js';
import { providerInstallHint, providerUnavailableReason } from './provider-availability.js';

export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export type ProviderChoice = 'auto' | ProviderName;

export interface SessionOptions {
    /** Tried in order; CPU is always the last resort. */
    providers: readonly ProviderName[];
    intraOpThreads?: number;
    /**
     * Keep onnxruntime's CPU memory arena (default true). An arena keeps the peak of every run for
     * the session's lifetime, so a scrub's many local-function sessions go without one: induction
     * refined, 10,000 roots, peaked at 1.56 GiB with them and 1.29 GiB without, in the same time.
     */
    memoryArena?: boolean;
}

export interface CreatedSession {
    session: ort.InferenceSession;
    /** The provider the session runs on. */
    provider: ProviderName;
    /** One line per provider that was tried and failed: `cuda: <why>`. */
    fallbacks: string[];
}

/**
 * The providers to try for a user's choice: `auto` is CUDA, then WebGPU, then CPU. A provider the
 * user named is tried alone: one that cannot start is an error, never a silent run on the CPU.
 */
export function resolveProviders(choice: ProviderChoice): ProviderName[] {
    return choice === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [choice];
}

// A provider that failed to start while a later one took the same model is not tried again in
// this process: its failure is the environment's (no CUDA libraries, no GPU adapter), and every
// retry costs a native library load and a log line on stderr, once per local function. A failure
// on a model that no provider takes (a broken file) says nothing about the provider: not kept.
const unavailable = new Map<ProviderName, string>();

/**
 * Creates a session on the first of the providers that works, recording why each one before it
 * did not (CPU, when listed, is tried last). When none can start, throws the `provider-unavailable`
 * HypError of the last one tried, with how to install it.
 */
export async function createSession(modelBytes: Uint8Array, opts: SessionOptions): Promise<CreatedSession> {
    const fallbacks: string[] = [];
    const failed = new Map<ProviderName, string>();
    const order = [...opts.providers.filter(p => p !== 'cpu'), ...(opts.providers.includes('cpu') ? ['cpu' as const] : [])];
    for (const provider of order) {
        const known = unavailable.get(provider) ?? (provider === 'cpu' ? undefined : providerUnavailableReason(provider));
        if (known !== undefined) {
            fallbacks.push(`${provider}: ${known}`);
            continue;
        }
        try {
            const session = await ort.InferenceSession.create(modelBytes, sessionOptions(provider, opts.intraOpThreads, opts.memoryArena ?? true));
            for (const [p, why] of failed) unavailable.set(p, why);
            return { session, provider, fallbacks };
        } catch (e) {
            if (provider === 'cpu') throw e;
            const why = firstLine((e as Error).message);
            failed.set(provider, why);
            fallbacks.push(`${provider}: ${why}`);
        }
    }
    const last = order[order.length - 1];
    if (last === undefined) throw new Error('createSession: no execution provider to try');
    const why = unavailable.get(last) ?? failed.get(last) ?? providerUnavailableReason(last) ?? 'it did not start';
    throw new HypError(`the ${last} execution provider cannot start here: ${why}`, 'provider-unavailable', undefined, providerInstallHint(last));
}

function sessionOptions(provider: ProviderName, intraOpThreads: number | undefined, memoryArena: boolean): ort.InferenceSession.SessionOptions {
    return {
        // CPU is listed after a GPU provider so that nodes the GPU provider lacks still run.
        executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
        // 'basic' rewrites are exact (constant folding, removing no-ops). The extended fusions
        // (GELU, LayerNorm, attention, MatMul+Add) change rounding, and they apply differently to
        // the full model and to a local function cut out of it, so the same activation computed
        // both ways could differ; the self-check and bit-identical reruns rely on them agreeing.
        graphOptimizationLevel: 'basic',
        executionMode: 'sequential',
        interOpNumThreads: 1,
        // Warnings (e.g. about unused initializers) would land in the user's terminal.
        logSeverityLevel: 3,
        enableCpuMemArena: memoryArena,
        // onnxruntime-node rejects an explicit undefined here.
        ...(intraOpThreads !== undefined ? { intraOpNumThreads: intraOpThreads } : {}),
    };
}

function firstLine(message: string): string {
    return message.split('\n')[0].trim();
}

/** An activation's element type and one example's dims (no batch axis), as the executor keeps them. */
export interface ExampleType {
    dtype: string;
    dims: number[];
}

/** A feed given as one example's layout: `data` from `offset` holds whole examples of `dims`. */
export interface ExampleFeed {
    data: ArrayLike<number | bigint> & { subarray(start: number, end: number): unknown; length: number };
    offset: number;
    /** One example's dims (no batch axis). */
    dims: readonly number[];
}

/**
 * The dtype and one example's dims (no batch axis) of each tensor, from one run of the model on `feeds` with the
 * tensors as extra outputs: this types every boundary even when the file has no value_info.
 * Feeds that are not onnxruntime tensors take their dtype from `inputs`.
 */
export async function probeTensorTypes(model: ModelProto, tensors: readonly string[],
    feeds: Readonly<Record<string, ort.Tensor | ExampleFeed>>, inputs?: { dtype(name: string): string },
    opts: SessionOptions = { providers: ['cpu'] }): Promise<Map<string, ExampleType>> {
    const { session } = await createSession(writeModel(withExtraOutputs(model, tensors)), opts);
    try {
        const ortFeeds: Record<string, ort.Tensor> = {};
        for (const [name, feed] of Object.entries(feeds)) {
            if (feed instanceof ort.Tensor) ortFeeds[name] = feed;
            else if (inputs !== undefined) ortFeeds[name] = toTensor(feed as ExampleFeed, inputs.dtype(name));
            else throw new Error(`probeTensorTypes: feed "${name}" needs a dtype (pass inputs)`);
        }
        const out = await session.run(ortFeeds, [...new Set(tensors)]);
        return new Map(tensors.map(t => [t, { dtype: out[t].type, dims: out[t].dims.slice(1) }]));
    } finally {
        await session.release();
    }
}

function toTensor(feed: ExampleFeed, dtype: string): ort.Tensor {
    const size = feed.dims.reduce((a, b) => a * b, 1);
    const batch = Math.floor((feed.data.length - feed.offset) / size);
    const data = feed.data.subarray(feed.offset, feed.offset + batch * size);
    return new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, [batch, ...feed.dims]);
}
