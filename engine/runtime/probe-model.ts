// The probe run (graph/probe.ts): the model on one and on two examples with every intermediate
// tensor as an output, which gives each tensor's real dtype and dims and whether it carries the
// batch axis. Needs onnxruntime: the CLI and the engine call it in-process, the language server
// through a child process (server/probe-process.ts).
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { withExtraOutputs } from '../graph/local-function.js';
import { statSync } from 'node:fs';
import { MAX_PROBED_VALUES, probedTensorNames, probeKey, type ModelProbe, type ProbeFeed } from '../graph/probe.js';
import type { ModelGraph } from '../graph/types.js';
import { readModelFile, writeModel } from '../onnx/read.js';
import { createSession } from './session.js';
import { indexOfNonFinite } from '../execute/typed-arrays.js';

/** Runs `model` on the feeds' first example and on both; what each of `tensors` looked like. */
export async function probeModel(model: ModelProto, tensors: readonly string[], feeds: readonly ProbeFeed[]): Promise<ModelProbe> {
    const { session } = await createSession(writeModel(withExtraOutputs(model, tensors)), { providers: ['cpu'], intraOpThreads: 1 });
    try {
        const outputs = session.outputNames;
        const run = (count: 1 | 2) => session.run(Object.fromEntries(feeds.map(f => {
            const size = f.dims.reduce((a, b) => a * b, 1);
            return [f.name, new ort.Tensor(f.dtype as ort.Tensor.Type, f.data.slice(0, count * size) as ort.Tensor.DataType, [count, ...f.dims])];
        })), outputs);
        const one = await run(1);
        const two = await run(2);
        const probe: ModelProbe = {};
        for (const name of outputs) {
            const a = one[name], b = two[name];
            const perExample = a.dims.length > 0 && a.dims[0] === 1 && b.dims[0] === 2 && a.dims.length === b.dims.length
                && a.dims.every((d, i) => i === 0 || d === b.dims[i]) && firstSliceEqual(a.data as ArrayLike<number | bigint>, b.data as ArrayLike<number | bigint>);
            probe[name] = { dtype: b.type, dims: [...b.dims], perExample };
            const nonFinite = firstNonFinite(b.data);
            if (nonFinite !== undefined) probe[name].nonFinite = String(nonFinite);
            // Values that depend on the batch size (a Shape of the input) are not constants: kept only when both runs agree.
            const data = b.data as ArrayLike<number | bigint>, dataOne = a.data as ArrayLike<number | bigint>;
            if (!perExample && typeof data !== 'string' && data.length <= MAX_PROBED_VALUES && data.length === dataOne.length
                && Array.from(data, Number).every((v, i) => v === Number(dataOne[i]) || (Number.isNaN(v) && Number.isNaN(Number(dataOne[i]))))) {
                probe[name].values = Array.from(data, Number);
            }
        }
        return probe;
    } finally {
        await session.release();
    }
}

/** The first NaN or infinity of a float tensor's values. */
function firstNonFinite(data: unknown): number | undefined {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) return undefined;
    const i = indexOfNonFinite(data);
    return i < 0 ? undefined : data[i];
}

/** Whether the one-example run equals the two-example run's first example (NaN equal to NaN). */
function firstSliceEqual(one: ArrayLike<number | bigint>, two: ArrayLike<number | bigint>): boolean {
    if (two.length !== 2 * one.length) return false;
    for (let i = 0; i < one.length; i++) {
        const x = Number(one[i]), y = Number(two[i]);
        if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
        if (!(Math.abs(x - y) <= 1e-5 + 1e-5 * Math.abs(y))) return false;
    }
    return true;
}

/** The probe of a model file (the CLI's prober: `hyp check` runs it in-process). */
export function probeModelFile(path: string, tensors: readonly string[], feeds: readonly ProbeFeed[]): Promise<ModelProbe> {
    return probeModel(readModelFile(path), tensors, feeds);
}

const cache = new Map<string, Promise<ModelProbe>>();

/**
 * The probe of a model file on these feeds, cached in this process by the file's bytes (path,
 * size and modification time) and the feeds' values: every hypothesis file over the same model
 * and dataset probes once.
 */
export function cachedProbe(model: ModelProto, graph: ModelGraph, path: string, feeds: readonly ProbeFeed[]): Promise<ModelProbe> {
    let stamp = path;
    try {
        const s = statSync(path);
        stamp = `${path}:${s.size}:${s.mtimeMs}`;
    } catch {
        // Not a file on disk (a test's in-memory model): the path alone keys it.
    }
    const key = probeKey(stamp, feeds);
    let probe = cache.get(key);
    if (probe === undefined) {
        probe = probeModel(model, probedTensorNames(graph), feeds);
        probe.catch(() => cache.delete(key));
        cache.set(key, probe);
    }
    return probe;
}
