import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { withExtraOutputs } from '../../engine/graph/local-function.js';
import { readModelFile, writeModel } from '../../engine/onnx/read.js';
import { LOGIT_SCALE, TOY_ROWS, writeToy } from '../../examples/toy/build-toy.js';

const dir = join(import.meta.dirname, '../../examples/toy');
const rows = readFileSync(join(dir, 'toy_or.jsonl'), 'utf8').trim().split('\n')
    .map(l => JSON.parse(l) as { z: number[]; y: number });

describe('the toy model (examples/toy)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hyp-toy-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('the committed files are byte for byte what the builder makes', () => {
        const built = writeToy(tmp);
        expect(Buffer.compare(readFileSync(built.model), readFileSync(join(dir, 'toy_or.onnx')))).toBe(0);
        expect(readFileSync(built.dataset, 'utf8')).toBe(readFileSync(join(dir, 'toy_or.jsonl'), 'utf8'));
    });

    it('the dataset has integer features 0..6 and the label (z1 > 3) or (z2 > 3), near-balanced', () => {
        expect(rows).toHaveLength(TOY_ROWS);
        for (const r of rows) {
            expect(r.z.every(v => Number.isInteger(v) && v >= 0 && v <= 6)).toBe(true);
            expect(r.y).toBe(r.z[0] > 3 || r.z[1] > 3 ? 1 : 0);
        }
        // P(y = 1) = 1 − (4/7)² ≈ 0.673.
        const positive = rows.filter(r => r.y === 1).length / rows.length;
        expect(positive).toBeGreaterThan(0.64);
        expect(positive).toBeLessThan(0.71);
    });

    it('classifies every row correctly with a finite cross-entropy of log(1 + e^-4)', async () => {
        // The hook tensors are intermediates: add them as outputs to read them in the same run.
        const model = withExtraOutputs(readModelFile(join(dir, 'toy_or.onnx')), ['A', 'B', 'C', 'D']);
        const session = await ort.InferenceSession.create(writeModel(model));
        const x = new ort.Tensor('float32', Float32Array.from(rows.flatMap(r => r.z)), [rows.length, 3]);
        const out = await session.run({ x }, ['logits', 'A', 'B', 'C', 'D']);
        const logits = out.logits.data as Float32Array;
        let correct = 0;
        let loss = 0;
        rows.forEach((r, i) => {
            const [l0, l1] = [logits[2 * i], logits[2 * i + 1]];
            if ((l1 > l0 ? 1 : 0) === r.y) correct++;
            const max = Math.max(l0, l1);
            loss += -(r.y === 1 ? l1 : l0) + max + Math.log(Math.exp(l0 - max) + Math.exp(l1 - max));
        });
        expect(correct).toBe(rows.length);
        expect(loss / rows.length).toBeCloseTo(Math.log(1 + Math.exp(-LOGIT_SCALE)), 6);
        // The hook points hold what the README says they hold.
        rows.forEach((r, i) => {
            expect((out.A.data as Float32Array)[i]).toBe(r.z[0] > 3 ? 1 : 0);
            expect((out.B.data as Float32Array)[i]).toBe(r.z[1] > 3 ? 1 : 0);
            expect((out.C.data as Float32Array)[i]).toBe(2 * r.z[2]);
            expect((out.D.data as Float32Array)[i]).toBe(r.y);
        });
        await session.release();
    });
});
