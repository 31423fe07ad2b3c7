// Typed arrays of tensor elements and one example's activation: pure helpers with no native code,
// shared by the executor (model-runner.ts) and by what builds model inputs without running the
// model (model-inputs.ts, input-parts.ts, which the language's checks use).
import { HypError } from '../errors.js';
import type { Range } from '../graph/region.js';

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array;

/** One example's activation: `exampleSize(dims)` elements of `data` from `offset`. */
export interface Activation {
    data: NumericArray;
    offset: number;
    /** One example's dims (no batch axis): the box's extents when `box` is set. */
    dims: readonly number[];
    /** The box of the tensor this holds (per example, no batch axis; graph/region.ts), when not the whole tensor. */
    box?: readonly Range[];
}

/** Elements of one example of these dims. */
export function exampleSize(dims: readonly number[]): number {
    let n = 1;
    for (const d of dims) n *= d;
    return n;
}

/** The typed array class of each tensor type the engine reads. */
const ARRAY_TYPES: Record<string, { new(length: number): NumericArray; new(buffer: ArrayBufferLike): NumericArray; BYTES_PER_ELEMENT: number }> = {
    float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
    bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array,
};

function arrayType(dtype: string) {
    const type = Object.hasOwn(ARRAY_TYPES, dtype) ? ARRAY_TYPES[dtype] : undefined;
    if (type === undefined) throw new HypError(`tensor type ${dtype} is not supported`, 'unsupported-dtype');
    return type;
}

/** A zeroed typed array of `length` elements of a tensor type. */
export function allocTyped(dtype: string, length: number): NumericArray {
    return new (arrayType(dtype))(length);
}

/** A typed view of the whole buffer (shared or not) for a tensor type. */
export function typedView(dtype: string, buffer: ArrayBufferLike): NumericArray {
    return new (arrayType(dtype))(buffer);
}

/** Bytes per element of a tensor type. */
export function elementBytes(dtype: string): number {
    return arrayType(dtype).BYTES_PER_ELEMENT;
}

/**
 * Whether every element is finite. Four sums, not one: each add waits for the previous one to
 * the same sum, and this pass reads every output of every run (a few percent of a small model's
 * scrub with one sum).
 */
export function allFinite(data: Float32Array | Float64Array): boolean {
    let a = 0, b = 0, c = 0, d = 0;
    const n = data.length, end = n - (n % 4);
    for (let i = 0; i < end; i += 4) {
        a += data[i] * 0;
        b += data[i + 1] * 0;
        c += data[i + 2] * 0;
        d += data[i + 3] * 0;
    }
    for (let i = end; i < n; i++) a += data[i] * 0;
    return a + b + c + d === 0;
}

/**
 * The index of the first NaN or ±Infinity, or -1: the branch-free pass first (x·0 is 0 for every
 * finite x and NaN otherwise), and the search for the culprit only when there is one.
 */
export function indexOfNonFinite(data: Float32Array | Float64Array): number {
    if (allFinite(data)) return -1;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
    return -1;
}
