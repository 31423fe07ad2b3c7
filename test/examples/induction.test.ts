// The committed induction model: in-context copying works (repeats are predicted far better than
// first occurrences), the heads the README names do what it says, the export matches the tfjs
// forward, and the dataset holds only positions where induction helps.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { create } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDUCTION_CONFIG as C } from '../../examples/induction/config.js';
import { halfLosses, headScores } from '../../examples/induction/heads.js';
import { inductionPositions, repeatedRandomSequence } from '../../examples/induction/language.js';
import { weightsFromOnnx } from '../../examples/paren/lib/onnx-weights.js';
import { makeRng } from '../../examples/paren/lib/rng.js';
import { forward, toTensors } from '../../examples/paren/lib/transformer.js';
import { readModelFile, writeModel } from '../../engine/onnx/read.js';
import { valueInfoType } from '../../engine/onnx/value-info.js';
import { ModelProtoSchema } from 'onnx-buf';

const MODEL = 'examples/induction/induction.onnx';
/** The heads the README names (layer.head). */
const PREVIOUS_TOKEN_HEAD = { layer: 0, head: 0 };
const INDUCTION_HEAD = { layer: 1, head: 1 };

interface Row { tokens: number[]; pos: number; next: number }
const tokens = (seqs: readonly (readonly number[])[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(seqs.flat().map(BigInt)), [seqs.length, seqs[0].length]);

let session: ort.InferenceSession;
const repeated = Array.from({ length: 48 }, ((rng) => () => repeatedRandomSequence(rng))(makeRng(99)));
beforeAll(async () => {
    // The model with both layers' attention patterns as extra outputs.
    const model = readModelFile(MODEL);
    const g = model.graph!;
    const patterns = g.valueInfo.filter(v => /^blocks\.\d\.attn\.hook_pattern$/.test(v.name));
    const withPatterns = create(ModelProtoSchema, { ...model, graph: { ...g, output: [...g.output, ...patterns] } });
    session = await ort.InferenceSession.create(writeModel(withPatterns), { intraOpNumThreads: 1 });
});

describe('induction model', () => {
    it('predicts the repeat of a random sequence far better than its first occurrence', async () => {
        const out = await session.run({ tokens: tokens(repeated) });
        const { firstHalf, secondHalf } = halfLosses(out.logits.data as Float32Array, repeated, C.vocab);
        expect(firstHalf).toBeGreaterThan(4.5);
        expect(secondHalf).toBeLessThan(firstHalf / 4);
    });

    it(`head ${PREVIOUS_TOKEN_HEAD.layer}.${PREVIOUS_TOKEN_HEAD.head} attends most to the previous position`, async () => {
        const out = await session.run({ tokens: tokens(repeated) });
        const pattern = out[`blocks.${PREVIOUS_TOKEN_HEAD.layer}.attn.hook_pattern`].data as Float32Array;
        const s = headScores(pattern, repeated.length, C.nHeads, C.nCtx);
        expect(s.prevToken[PREVIOUS_TOKEN_HEAD.head]).toBeGreaterThan(0.25);
        expect(Math.max(...s.prevToken)).toBe(s.prevToken[PREVIOUS_TOKEN_HEAD.head]);
        // Mean attention by offset dst - src: the previous position beats itself, two back and BOS.
        const n = C.nCtx, h = PREVIOUS_TOKEN_HEAD.head;
        const byOffset = (offset: number): number => {
            let sum = 0, count = 0;
            for (let b = 0; b < repeated.length; b++) {
                for (let dst = 3; dst < n; dst++) {
                    const src = offset === -1 ? 0 : dst - offset;
                    sum += pattern[((b * C.nHeads + h) * n + dst) * n + src];
                    count++;
                }
            }
            return sum / count;
        };
        const previous = byOffset(1);
        for (const other of [byOffset(0), byOffset(2), byOffset(-1)]) expect(previous).toBeGreaterThan(1.5 * other);
    });

    it(`head ${INDUCTION_HEAD.layer}.${INDUCTION_HEAD.head} attends mostly to the token after the previous occurrence`, async () => {
        const out = await session.run({ tokens: tokens(repeated) });
        const s = headScores(out[`blocks.${INDUCTION_HEAD.layer}.attn.hook_pattern`].data as Float32Array, repeated.length, C.nHeads, C.nCtx);
        expect(s.induction[INDUCTION_HEAD.head]).toBeGreaterThan(0.5);
        expect(Math.max(...s.induction)).toBe(s.induction[INDUCTION_HEAD.head]);
    });

    it('the exported graph computes what the trained tfjs model computes', async () => {
        await tf.setBackend('cpu');
        const seqs = repeated.slice(0, 8);
        const params = toTensors(C, weightsFromOnnx(C, readModelFile(MODEL)), false);
        const expected = forward(C, params, tf.tensor2d(seqs.flat(), [seqs.length, C.nCtx], 'int32')).logits.dataSync();
        const actual = (await session.run({ tokens: tokens(seqs) })).logits.data as Float32Array;
        let max = 0;
        for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
        expect(max).toBeLessThan(1e-4);
    });

    it('its dataset holds positions where the next token followed an earlier occurrence, and the model gets them right', async () => {
        const rows = readFileSync('examples/induction/induction.jsonl', 'utf8').trim().split('\n').map(l => JSON.parse(l) as Row);
        expect(rows.length).toBe(3000);
        for (const r of rows) {
            expect(r.tokens.length).toBe(C.nCtx);
            expect(r.next).toBe(r.tokens[r.pos + 1]);
            expect(inductionPositions(r.tokens)).toContain(r.pos);
        }
        const sample = rows.slice(0, 500);
        const logits = (await session.run({ tokens: tokens(sample.map(r => r.tokens)) })).logits.data as Float32Array;
        let loss = 0;
        sample.forEach((r, b) => {
            const off = (b * C.nCtx + r.pos) * C.vocab;
            const row = logits.subarray(off, off + C.vocab);
            const max = Math.max(...row);
            loss += Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[r.next];
        });
        expect(loss / sample.length).toBeLessThan(1.5);
    });

    it('names its hook tensors in TransformerLens style, with layer 0 attention per source position', () => {
        const g = readModelFile(MODEL).graph!;
        const types = new Map([...g.valueInfo, ...g.output].map(v => [v.name, valueInfoType(v)]));
        const expectShape = (name: string, shape: (number | string)[]): void => {
            expect(types.get(name), name).toEqual({ dtype: 'float32', shape });
        };
        expectShape('hook_embed', ['batch', 64, 64]);
        expectShape('hook_pos_embed', ['batch', 64, 64]);
        for (let l = 0; l < 2; l++) {
            const p = `blocks.${l}`;
            expectShape(`${p}.hook_resid_pre`, ['batch', 64, 64]);
            for (const x of ['q', 'k', 'v']) expectShape(`${p}.attn.hook_${x}_input`, ['batch', 64, 4, 64]);
            expectShape(`${p}.attn.hook_pattern`, ['batch', 4, 64, 64]);
            expectShape(`${p}.attn.hook_result`, ['batch', 64, 4, 64]);
            expectShape(`${p}.hook_attn_out`, ['batch', 64, 64]);
            expectShape(`${p}.hook_resid_post`, ['batch', 64, 64]);
        }
        expectShape('blocks.0.attn.hook_z_terms', ['batch', 4, 64, 64, 16]);
        expectShape('logits', ['batch', 64, 300]);
        for (const n of g.node) for (const o of n.output) expect(types.get(o)?.dtype, o).toBeTruthy();
    });
});
