// Reads a transformer's weights back out of its exported ONNX initializers, so the tests can run
// the tfjs forward on exactly the weights in the committed file and compare it with onnxruntime.
import type { ModelProto } from 'onnx-buf';
import { paramSpecs, type TransformerConfig, type Weights } from './transformer.js';

/** The weights stored in the model's initializers, by parameter name. */
export function weightsFromOnnx(c: TransformerConfig, model: ModelProto): Weights {
    const byName = new Map(model.graph!.initializer.map(t => [t.name, t]));
    const w: Weights = new Map();
    for (const s of paramSpecs(c)) {
        const t = byName.get(s.name);
        if (t === undefined) throw new Error(`initializer ${s.name} missing`);
        // Copy (Uint8Array.from, not slice, which on a Node Buffer is a view): raw bytes inside a
        // protobuf buffer need not be 4-byte aligned.
        const bytes = Uint8Array.from(t.rawData);
        w.set(s.name, t.rawData.length > 0 ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : Float32Array.from(t.floatData));
    }
    return w;
}
