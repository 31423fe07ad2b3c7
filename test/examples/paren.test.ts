// The committed paren classifier: held-out accuracy, the export against the tfjs forward it was
// trained as, and the hook tensors hypotheses name.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { PAREN_CONFIG as C } from '../../examples/paren/config.js';
import { isBalanced, tokenize, type ParenRow } from '../../examples/paren/data.js';
import { weightsFromOnnx } from '../../examples/paren/lib/onnx-weights.js';
import { forward, toTensors } from '../../examples/paren/lib/transformer.js';
import { readModelFile } from '../../engine/onnx/read.js';
import { valueInfoType } from '../../engine/onnx/value-info.js';

const MODEL = 'examples/paren/paren.onnx';
const readRows = (path: string): ParenRow[] => readFileSync(path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as ParenRow);
const tokens = (rows: readonly ParenRow[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(rows.flatMap(r => r.tokens).map(BigInt)), [rows.length, rows[0].tokens.length]);

let session: ort.InferenceSession;
let test: ParenRow[];
beforeAll(async () => {
    session = await ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1 });
    test = readRows('examples/paren/paren-test.jsonl');
});

describe('paren classifier', () => {
    it('classifies at least 99% of the held-out strings correctly', async () => {
        const logits = (await session.run({ tokens: tokens(test) })).logits;
        expect(logits.dims).toEqual([test.length, 2]);
        const l = logits.data as Float32Array;
        const correct = test.filter((r, i) => (l[2 * i + 1] > l[2 * i] ? 1 : 0) === r.label).length;
        expect(test.length).toBe(2000);
        expect(correct / test.length).toBeGreaterThanOrEqual(0.99);
    });

    it('needs both tests: the data has count failures that never go negative and equal-count horizon failures', () => {
        for (const rows of [test, readRows('examples/paren/paren.jsonl')]) {
            const depthNeverNegative = (s: string): boolean => [...s].reduce((d, ch) => (d < 0 ? d : d + (ch === '(' ? 1 : -1)), 0) >= 0;
            const opens = (s: string): number => [...s].filter(ch => ch === '(').length;
            const countOnly = rows.filter(r => depthNeverNegative(r.text) && 2 * opens(r.text) !== r.text.length);
            const horizonOnly = rows.filter(r => 2 * opens(r.text) === r.text.length && !isBalanced(r.text));
            const balanced = rows.filter(r => r.label === 1);
            expect(countOnly.length / rows.length).toBeGreaterThan(0.1);
            expect(horizonOnly.length / rows.length).toBeGreaterThan(0.15);
            // Half by construction; fewer in the held-out split, which drops short strings seen in training.
            expect(balanced.length / rows.length).toBeGreaterThan(0.4);
            expect(balanced.length / rows.length).toBeLessThan(0.55);
            for (const r of rows) {
                expect(r.label).toBe(isBalanced(r.text) ? 1 : 0);
                expect(r.tokens).toEqual(tokenize(r.text));
            }
        }
    });

    it('the exported graph computes what the trained tfjs model computes', async () => {
        await tf.setBackend('cpu');
        const rows = test.slice(0, 32);
        const params = toTensors(C, weightsFromOnnx(C, readModelFile(MODEL)), false);
        const expected = forward(C, params, tf.tensor2d(rows.flatMap(r => r.tokens), [rows.length, C.nCtx], 'int32')).logits.dataSync();
        const actual = (await session.run({ tokens: tokens(rows) })).logits.data as Float32Array;
        let max = 0;
        for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
        expect(max).toBeLessThan(1e-4);
    });

    it('runs at any batch size (the batch dim is symbolic)', async () => {
        const one = (await session.run({ tokens: tokens(test.slice(5, 6)) })).logits.data as Float32Array;
        const seven = (await session.run({ tokens: tokens(test.slice(0, 7)) })).logits.data as Float32Array;
        expect(one[0]).toBeCloseTo(seven[10], 5);
        expect(one[1]).toBeCloseTo(seven[11], 5);
    });

    it('names its hook tensors in TransformerLens style, each typed with a symbolic batch dim', () => {
        const g = readModelFile(MODEL).graph!;
        const types = new Map([...g.valueInfo, ...g.output].map(v => [v.name, valueInfoType(v)]));
        const expectShape = (name: string, shape: (number | string)[]): void => {
            expect(types.get(name), name).toEqual({ dtype: 'float32', shape });
        };
        expectShape('hook_embed', ['batch', 42, 56]);
        expectShape('hook_pos_embed', ['batch', 42, 56]);
        for (let l = 0; l < 3; l++) {
            const p = `blocks.${l}`;
            expectShape(`${p}.hook_resid_pre`, ['batch', 42, 56]);
            for (const x of ['q', 'k', 'v']) {
                expectShape(`${p}.attn.hook_${x}_input`, ['batch', 42, 2, 56]);
                expectShape(`${p}.attn.hook_${x}`, ['batch', 2, 42, 28]);
            }
            expectShape(`${p}.attn.hook_pattern`, ['batch', 2, 42, 42]);
            expectShape(`${p}.attn.hook_result`, ['batch', 42, 2, 56]);
            expectShape(`${p}.hook_attn_out`, ['batch', 42, 56]);
            expectShape(`${p}.hook_mlp_out`, ['batch', 42, 56]);
            expectShape(`${p}.hook_resid_post`, ['batch', 42, 56]);
        }
        expectShape('ln_final.hook_normalized', ['batch', 42, 56]);
        expectShape('logits', ['batch', 2]);
        // Every node output is typed (value_info or graph output).
        for (const n of g.node) for (const o of n.output) expect(types.get(o)?.dtype, o).toBeTruthy();
        expect(g.input.map(i => [i.name, valueInfoType(i)])).toEqual([['tokens', { dtype: 'int64', shape: ['batch', 42] }]]);
    });
});
