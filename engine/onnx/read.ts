// Reading and writing ONNX files with the protobuf types only (no onnxruntime), so the language
// server can read a model graph without loading native code (DESIGN.md §4).
import { readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { HypError } from '../errors.js';

/** Reads an `.onnx` file; a missing, unreadable or non-ONNX file is a HypError located at the path. */
export function readModelFile(path: string): ModelProto {
    let bytes: Uint8Array;
    try {
        bytes = readFileSync(path);
    } catch (e) {
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
        throw new HypError(missing ? 'model file not found' : `cannot read model file: ${(e as Error).message}`,
            missing ? 'model-not-found' : 'model-unreadable', { file: path },
            'check the path in the `model` declaration (relative paths start at the .hyp file)');
    }
    return readModelBytes(bytes, path);
}

/** Decodes ONNX bytes; `path` only locates the error when the bytes are not an ONNX model. */
export function readModelBytes(bytes: Uint8Array, path: string): ModelProto {
    let model: ModelProto;
    try {
        // Unknown fields are kept (the default): a model from a newer ONNX survives a rewrite.
        model = fromBinary(ModelProtoSchema, bytes);
    } catch (e) {
        throw notOnnx(path, `cannot decode: ${(e as Error).message}`);
    }
    // Protobuf decodes many non-ONNX byte strings without complaint (an empty file, or text whose
    // bytes happen to parse as fields); a model needs a graph and a version to be usable.
    if (model.graph === undefined || model.irVersion === 0n) {
        throw notOnnx(path, model.graph === undefined ? 'the file has no graph' : 'the file has no ir_version');
    }
    return model;
}

/** Encodes a model to ONNX bytes, including any fields this library does not know. */
export function writeModel(model: ModelProto): Uint8Array {
    return toBinary(ModelProtoSchema, model);
}

function notOnnx(path: string, detail: string): HypError {
    return new HypError(`not an ONNX model (${detail})`, 'model-not-onnx', { file: path },
        'the file must be an ONNX ModelProto, e.g. written by torch.onnx.export; re-export it if it was truncated');
}
