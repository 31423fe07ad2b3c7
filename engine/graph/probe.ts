// Real shapes and dtypes for models whose file does not declare them (a raw torch.onnx.export
// writes no value_info): the model is run once on one and on two dataset examples with every
// intermediate as an output (runtime/probe-model.ts, which needs onnxruntime), and what that run
// saw refines the ModelGraph read from the file. This file is the pure part: the probe's types,
// its inputs, and the refinement, usable where no native code may run (the language server).
import { createHash } from 'node:crypto';
import type { NumericArray } from '../execute/typed-arrays.js';
import type { ModelInputs } from '../execute/model-inputs.js';
import type { ModelGraph, TensorInfo } from './types.js';
import type { PerturbRequest } from './perturb-queries.js';

/** What one probe run saw of a tensor. */
export interface ProbedTensor {
    dtype: string;
    /** Its dims on the two-example run (the batch axis included when it has one). */
    dims: number[];
    /** Whether it carries the batch axis: [1, …d] on one example, [2, …d] on two, the first slice the same. */
    perExample: boolean;
    /**
     * The values of a small tensor without the batch axis (a mask, a shape value, slice bounds):
     * the same on every run, so the part-level edges can read them (graph/part-deps.ts).
     */
    values?: number[];
    /**
     * The first value that is not finite the run saw in a float tensor ('-Infinity' where a mask
     * is applied with -inf), as text: it crosses to and from a worker process as JSON.
     */
    nonFinite?: string;
}

/** Tensors without the batch axis up to this many elements keep their values. */
export const MAX_PROBED_VALUES = 4096;

/** Tensor name → what the probe saw; plain data, so that it crosses to and from a worker process. */
export type ModelProbe = Record<string, ProbedTensor>;

/** One graph input on the probe's examples: `data` holds the examples (two for the probe) one after the other. */
export interface ProbeFeed {
    name: string;
    dtype: string;
    /** One example's dims (no batch axis). */
    dims: number[];
    data: NumericArray;
}

/**
 * The probe's inputs: the first two examples (the first twice when there is one); with `rows`,
 * the first `rows` examples (fewer when there are fewer: the numeric pass, graph/perturb-queries.ts).
 */
export function probeFeeds(inputs: ModelInputs, rows?: number): ProbeFeed[] {
    const examples = rows === undefined ? Int32Array.of(0, Math.min(1, inputs.count - 1))
        : Int32Array.from({ length: Math.min(rows, inputs.count) }, (_, i) => i);
    return inputs.names.map(name => {
        const batch = inputs.batch(name, examples);
        const size = batch.dims.reduce((a, b) => a * b, 1);
        return { name, dtype: inputs.dtype(name), dims: [...batch.dims], data: batch.data.slice(batch.offset, batch.offset + examples.length * size) as NumericArray };
    });
}

/** A key that changes with the model (its stamp or bytes' hash) and the probe's input values. */
export function probeKey(model: string, feeds: readonly ProbeFeed[]): string {
    const hash = createHash('sha256').update(model);
    for (const f of feeds) {
        hash.update(`${f.name}:${f.dtype}:${f.dims.join(',')}:`);
        hash.update(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength));
    }
    return hash.digest('hex');
}

/**
 * The graph with the probe's shapes and dtypes where the file's are missing or symbolic (a
 * per-example tensor's batch axis stays symbolic, named as the first input's), and each probed
 * tensor marked per-example or not.
 */
export function refineModelGraph(graph: ModelGraph, probe: ModelProbe): ModelGraph {
    const firstInput = graph.tensors.get(graph.inputs[0] ?? '')?.shape?.[0];
    const batchName = typeof firstInput === 'string' ? firstInput : 'batch';
    const tensors = new Map<string, TensorInfo>();
    const constants = new Map(graph.constants ?? []);
    for (const [name, info] of graph.tensors) {
        const seen = Object.hasOwn(probe, name) ? probe[name] : undefined;
        if (info.kind === 'input') {
            tensors.set(name, { ...info, perExample: true });
            continue;
        }
        if (seen === undefined || info.kind === 'initializer') {
            tensors.set(name, info.kind === 'initializer' ? { ...info, perExample: false } : info);
            continue;
        }
        const probed: (number | string)[] = seen.perExample ? [batchName, ...seen.dims.slice(1)] : [...seen.dims];
        const declared = info.shape;
        // A declared shape is kept when every axis but the batch axis is a number and it agrees in rank.
        const keep = declared !== null && declared.length === probed.length && declared.every((d, i) => (seen.perExample && i === 0) || typeof d === 'number');
        tensors.set(name, { ...info, dtype: info.dtype ?? seen.dtype, shape: keep ? declared : probed, perExample: seen.perExample,
            ...(seen.nonFinite !== undefined && { nonFinite: seen.nonFinite }) });
        if (!seen.perExample && seen.values !== undefined && !constants.has(name)) constants.set(name, seen.values);
    }
    return { ...graph, tensors, constants };
}

/** Every node output of the graph's own nodes (what a probe asks for). */
export function probedTensorNames(graph: ModelGraph): string[] {
    return [...graph.tensors.values()].filter(t => t.kind === 'intermediate' || t.kind === 'output').map(t => t.name);
}

/**
 * The first per-example tensor downstream of `tensor` (breadth-first over its consumers, in file
 * order): where a hook on a constant, a table or a shape value would have to go instead.
 */
export function firstPerExampleDownstream(graph: ModelGraph, tensor: string,
    usable: (info: TensorInfo) => boolean = info => info.perExample === true): string | undefined {
    const consumers = new Map<string, string[]>();
    for (const t of graph.tensors.values()) {
        for (const i of new Set(t.producer?.inputs ?? [])) {
            const list = consumers.get(i);
            if (list === undefined) consumers.set(i, [t.name]);
            else list.push(t.name);
        }
    }
    const seen = new Set([tensor]);
    const queue = [tensor];
    while (queue.length > 0) {
        for (const c of consumers.get(queue.shift()!) ?? []) {
            if (seen.has(c)) continue;
            seen.add(c);
            const info = graph.tensors.get(c);
            if (info !== undefined && usable(info)) return c;
            queue.push(c);
        }
    }
    return undefined;
}

/**
 * What the language server sends its probe process (engine/worker/probe-worker.ts): a probe, or
 * with `perturb` the numeric pass over part-level edges (graph/perturb-queries.ts).
 */
export type ProbeRequest =
    | { path: string; tensors: readonly string[]; feeds: readonly ProbeFeed[]; perturb?: undefined }
    | { path: string; perturb: PerturbRequest };

export type ProbeResponse<T = ModelProbe> = { ok: true; value: T } | { ok: false; error: string };
