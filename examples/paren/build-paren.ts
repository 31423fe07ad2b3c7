// Builds the paren-balance classifier: generates the data, trains with tfjs (wasm, one thread),
// exports paren.onnx with TransformerLens names and checks the export against the trained model.
// Run with `npm run build:paren`; PAREN_STEPS overrides the number of training steps.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PAREN_CONFIG as C } from './config.js';
import { N_CTX, sampleRow, type ParenRow } from './data.js';
import { exportTransformer } from './lib/export-onnx.js';
import { maxAbsDiff, tokensTensor, writeAndLoad, writeJsonl } from './lib/io.js';
import { makeRng } from './lib/rng.js';
import { crossEntropy, trainAdam, useWasmBackend, warmupCosine } from './lib/train.js';
import { forward, initWeights, readWeights, toTensors } from './lib/transformer.js';

// Paths from the repository root, where npm runs the scripts (the bundle lives elsewhere).
const HERE = process.env.PAREN_OUT ?? 'examples/paren';
const SEED = 20221203;
const STEPS = Number(process.env.PAREN_STEPS ?? 2400);
const BATCH = 32;
const SCRUB_ROWS = 5000;
const TEST_ROWS = 2000;

const t0 = Date.now();
await useWasmBackend();
const rng = makeRng(SEED);
const weights = initWeights(C, makeRng(SEED + 1));
const train = Array.from({ length: STEPS * BATCH }, () => sampleRow(rng));
const seen = new Set(train.map(r => r.text));
// Held-out rows: no string the model was trained on (short strings are therefore rare here).
const test: ParenRow[] = [];
while (test.length < TEST_ROWS) {
    const r = sampleRow(rng);
    if (!seen.has(r.text)) test.push(r);
}
// The scrubbing dataset follows the training distribution (duplicates of short strings included).
const scrub = Array.from({ length: SCRUB_ROWS }, () => sampleRow(rng));

const params = toTensors(C, weights, true);
const batchTokens = (rows: readonly ParenRow[]): tf.Tensor2D => tf.tensor2d(rows.flatMap(r => r.tokens), [rows.length, N_CTX], 'int32');
trainAdam({
    variables: [...params.values()] as tf.Variable[],
    steps: STEPS,
    lr: warmupCosine(2e-3, 100, STEPS),
    every: 100,
    loss: step => {
        const rows = train.slice(step * BATCH, (step + 1) * BATCH);
        const { logits } = forward(C, params, batchTokens(rows));
        return crossEntropy(logits as tf.Tensor2D, tf.tensor1d(rows.map(r => r.label), 'int32'), 2);
    },
    report: (step, loss) => console.log(`step ${step}  loss ${loss.toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`),
});
const trainSeconds = (Date.now() - t0) / 1000;

function evaluate(rows: readonly ParenRow[]): { accuracy: number; loss: number } {
    let correct = 0, loss = 0;
    for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        tf.tidy(() => {
            const logits = forward(C, params, batchTokens(chunk)).logits as tf.Tensor2D;
            const pred = tf.argMax(logits, -1).dataSync();
            chunk.forEach((r, j) => { if (pred[j] === r.label) correct++; });
            loss += crossEntropy(logits, tf.tensor1d(chunk.map(r => r.label), 'int32'), 2).dataSync()[0] * chunk.length;
        });
    }
    return { accuracy: correct / rows.length, loss: loss / rows.length };
}
const testEval = evaluate(test);
const scrubEval = evaluate(scrub);
console.log('test', testEval, 'scrub split', scrubEval);

const trained = await readWeights(C, params);
const session = await writeAndLoad(join(HERE, 'paren.onnx'), exportTransformer(C, trained, 'paren'));
const probe = test.slice(0, 64);
const ortLogits = (await session.run({ tokens: tokensTensor(probe.map(r => r.tokens)) })).logits.data as Float32Array;
const tfLogits = tf.tidy(() => forward(C, params, batchTokens(probe)).logits.dataSync());
const diff = maxAbsDiff(ortLogits, tfLogits);
console.log('onnx vs tfjs max abs diff', diff);
if (!(diff < 1e-4)) throw new Error(`export does not match the trained model (max abs diff ${diff})`);

writeJsonl(join(HERE, 'paren.jsonl'), scrub);
writeJsonl(join(HERE, 'paren-test.jsonl'), test);
writeFileSync(join(HERE, 'build-info.json'), JSON.stringify({
    seed: SEED, steps: STEPS, batch: BATCH, trainSeconds: Math.round(trainSeconds),
    totalSeconds: Math.round((Date.now() - t0) / 1000), test: testEval, scrubSplit: scrubEval, onnxVsTfjsMaxAbsDiff: diff,
}, null, 2) + '\n');
