// Element types: the ONNX enum (TensorProto.DataType) and the names onnxruntime's tensors use.
// Everything above this file speaks in the onnxruntime names ('float32', 'int64', …).
import { TensorProto_DataType as DT } from 'onnx-buf';

/** A tensor's element type and dims, batch axis first (as in a file or on a run). */
export interface TensorType {
    /** An onnxruntime element type name: 'float32', 'int64', 'bool', … */
    dtype: string;
    /** Every dim, the batch axis first; a string is a symbolic dim. */
    dims: readonly (number | string)[];
}

const NAMES: ReadonlyMap<number, string> = new Map([
    [DT.FLOAT, 'float32'],
    [DT.DOUBLE, 'float64'],
    [DT.FLOAT16, 'float16'],
    [DT.BFLOAT16, 'bfloat16'],
    [DT.INT8, 'int8'],
    [DT.UINT8, 'uint8'],
    [DT.INT16, 'int16'],
    [DT.UINT16, 'uint16'],
    [DT.INT32, 'int32'],
    [DT.UINT32, 'uint32'],
    [DT.INT64, 'int64'],
    [DT.UINT64, 'uint64'],
    [DT.BOOL, 'bool'],
    [DT.STRING, 'string'],
]);

const CODES: ReadonlyMap<string, number> = new Map([...NAMES].map(([code, name]) => [name, code]));

/** The dtype name of an ONNX element type code, or null for codes the engine does not handle. */
export function dtypeName(code: number): string | null {
    return NAMES.get(code) ?? null;
}

/** The ONNX element type code of a dtype name; throws on names that have none. */
export function dtypeCode(name: string): number {
    const code = CODES.get(name);
    if (code === undefined) throw new Error(`unknown dtype "${name}"`);
    return code;
}
