// Writes readout.json: the directions of the residual stream that tiny_gpt.onnx's final
// LayerNorm and unembedding read, one per token t: γ ⊙ W_U[:, t], centred (the LayerNorm
// subtracts the mean, so only the centred part of a direction can move a logit). The
// subspace they span is what mlp_readout.hyp claims about. Run:
//   npx esbuild examples/torch-export/readout-directions.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=node_modules/.cache/hyp-examples/readout-directions.mjs \
//     && node node_modules/.cache/hyp-examples/readout-directions.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorProto } from 'onnx-buf';
import { readModelFile } from '../../engine/onnx/read.js';

// Run from the repository root (the bundle lives elsewhere).
const dir = join(process.cwd(), 'examples/torch-export');
const model = readModelFile(join(dir, 'tiny_gpt.onnx'));
const graph = model.graph!;
const init = new Map(graph.initializer.map(t => [t.name, t]));
const floats = (t: TensorProto): Float32Array =>
    t.floatData.length > 0 ? Float32Array.from(t.floatData) : new Float32Array(Uint8Array.from(t.rawData).buffer);
const producer = (out: string) => graph.node.find(n => n.output.includes(out))!;

const unembed = producer('logits');
const w = init.get(unembed.input[1])!;
const [d, vocab] = w.dims.map(Number);
const wu = floats(w);
const ln = producer(unembed.input[0]);
if (ln.opType !== 'LayerNormalization') throw new Error(`expected the final LayerNorm before the unembedding, found ${ln.opType}`);
const gamma = floats(init.get(ln.input[1])!);

const directions = Array.from({ length: vocab }, (_, t) => {
    const v = Array.from({ length: d }, (_, i) => gamma[i] * wu[i * vocab + t]);
    const mean = v.reduce((a, b) => a + b, 0) / d;
    return v.map(x => Number((x - mean).toPrecision(7)));
});
writeFileSync(join(dir, 'readout.json'), `{"readout": [\n${directions.map(v => `  ${JSON.stringify(v)}`).join(',\n')}\n]}\n`);
console.log(`readout.json: ${vocab} directions of ${d}`);
