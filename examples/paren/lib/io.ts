// Small file helpers shared by the example builders.
import { writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { writeModel } from '../../../engine/onnx/read.js';

/** Writes rows as JSON Lines. */
export function writeJsonl(path: string, rows: readonly object[]): void {
    writeFileSync(path, rows.map(r => JSON.stringify(r)).join('\n') + '\n');
}

/** Writes the model and returns an onnxruntime session on it (single-threaded). */
export async function writeAndLoad(path: string, model: ModelProto): Promise<ort.InferenceSession> {
    writeFileSync(path, writeModel(model));
    return ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Int64 token tensor [rows, n] for onnxruntime. */
export function tokensTensor(rows: readonly (readonly number[])[]): ort.Tensor {
    const n = rows[0].length;
    return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, n]);
}

/** Largest absolute difference between two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
}
