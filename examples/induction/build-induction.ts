// Builds the induction model: trains a 2-layer attention-only transformer on the synthetic language
// with tfjs (wasm, one thread), names its previous-token and induction heads from their attention,
// exports induction.onnx and writes the dataset of positions where induction helps.
// Run with `npm run build:induction`; INDUCTION_STEPS overrides the number of training steps.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportTransformer } from '../paren/lib/export-onnx.js';
import { maxAbsDiff, tokensTensor, writeAndLoad, writeJsonl } from '../paren/lib/io.js';
import { makeRng, randInt } from '../paren/lib/rng.js';
import { crossEntropy, trainAdam, useWasmBackend, warmupCosine } from '../paren/lib/train.js';
import { forward, initWeights, readWeights, toTensors } from '../paren/lib/transformer.js';
import { INDUCTION_CONFIG as C } from './config.js';
import { halfLosses, headScores } from './heads.js';
import { inductionPositions, languageSequence, N_CTX, repeatedRandomSequence, trainingSequence } from './language.js';

// Paths from the repository root, where npm runs the scripts (the bundle lives elsewhere).
const HERE = process.env.INDUCTION_OUT ?? 'examples/induction';
const SEED = 20221204;
const STEPS = Number(process.env.INDUCTION_STEPS ?? 3000);
const BATCH = 16;
const DATASET_ROWS = 3000;

const t0 = Date.now();
await useWasmBackend();
const rng = makeRng(SEED);
const params = toTensors(C, initWeights(C, makeRng(SEED + 1)), true);
const batchTokens = (rows: readonly (readonly number[])[]): tf.Tensor2D => tf.tensor2d(rows.flat(), [rows.length, N_CTX], 'int32');

trainAdam({
    variables: [...params.values()] as tf.Variable[],
    steps: STEPS,
    lr: warmupCosine(Number(process.env.INDUCTION_LR ?? 4e-3), 100, STEPS),
    every: 100,
    loss: () => {
        const seqs = Array.from({ length: BATCH }, () => trainingSequence(rng));
        const tokens = batchTokens(seqs);
        const logits = forward(C, params, tokens).logits;
        const n = N_CTX - 1;
        const flat = tf.reshape(tf.slice(logits, [0, 0, 0], [BATCH, n, C.vocab]), [BATCH * n, C.vocab]) as tf.Tensor2D;
        const targets = tf.reshape(tf.slice(tokens, [0, 1], [BATCH, n]), [BATCH * n]) as tf.Tensor1D;
        return crossEntropy(flat, targets, C.vocab);
    },
    report: (step, loss) => console.log(`step ${step}  loss ${loss.toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`),
});
const trainSeconds = (Date.now() - t0) / 1000;

// Evaluation on held-out draws (a separate stream, so the dataset does not depend on STEPS).
const evalRng = makeRng(SEED + 2);
const repeated = Array.from({ length: 100 }, () => repeatedRandomSequence(evalRng));
const { logits, patterns } = forward(C, params, batchTokens(repeated));
const halves = halfLosses(logits.dataSync(), repeated, C.vocab);
const scores = patterns.map(p => headScores(p.dataSync(), repeated.length, C.nHeads, N_CTX));
const argmax = (xs: number[]): number => xs.indexOf(Math.max(...xs));
const prevTokenHead = argmax(scores[0].prevToken);
const inductionHead = argmax(scores[1].induction);
console.log('repeated random sequences', halves);
scores.forEach((s, l) => console.log(`layer ${l}: prev-token ${s.prevToken.map(x => x.toFixed(3))}  induction ${s.induction.map(x => x.toFixed(3))}`));
console.log(`previous-token head 0.${prevTokenHead}, induction head 1.${inductionHead}`);

// The scrubbing dataset: one position per sequence of the language where induction helps.
const rows: { tokens: number[]; pos: number; next: number }[] = [];
while (rows.length < DATASET_ROWS) {
    const tokens = languageSequence(evalRng);
    const ps = inductionPositions(tokens);
    if (ps.length === 0) continue;
    const pos = ps[randInt(evalRng, ps.length)];
    rows.push({ tokens, pos, next: tokens[pos + 1] });
}
let datasetLoss = 0;
for (let i = 0; i < rows.length; i += 250) {
    const chunk = rows.slice(i, i + 250);
    tf.tidy(() => {
        const lp = tf.logSoftmax(forward(C, params, batchTokens(chunk.map(r => r.tokens))).logits).arraySync() as number[][][];
        chunk.forEach((r, j) => { datasetLoss -= lp[j][r.pos][r.next]; });
    });
}
datasetLoss /= rows.length;
console.log('dataset: mean loss at pos', datasetLoss);

const session = await writeAndLoad(join(HERE, 'induction.onnx'), exportTransformer(C, await readWeights(C, params), 'induction'));
const probe = repeated.slice(0, 16);
const ortLogits = (await session.run({ tokens: tokensTensor(probe) })).logits.data as Float32Array;
const diff = maxAbsDiff(ortLogits, tf.tidy(() => forward(C, params, batchTokens(probe)).logits.dataSync()));
console.log('onnx vs tfjs max abs diff', diff);
if (!(diff < 1e-4)) throw new Error(`export does not match the trained model (max abs diff ${diff})`);

writeJsonl(join(HERE, 'induction.jsonl'), rows);
writeFileSync(join(HERE, 'build-info.json'), JSON.stringify({
    seed: SEED, steps: STEPS, batch: BATCH, trainSeconds: Math.round(trainSeconds), totalSeconds: Math.round((Date.now() - t0) / 1000),
    repeatedRandom: halves, datasetMeanLossAtPos: datasetLoss,
    heads: scores.map((s, l) => ({ layer: l, prevTokenScore: s.prevToken, inductionScore: s.induction })),
    previousTokenHead: `0.${prevTokenHead}`, inductionHead: `1.${inductionHead}`, onnxVsTfjsMaxAbsDiff: diff,
}, null, 2) + '\n');
