// Bad inputs to the engine give one clear, located error, never a NaN result or a stack trace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { scrub } from '../../engine/scrub.js';
import type { ScrubSpec } from '../../engine/spec.js';
import { hypErrorOf } from '../fixtures/hyp-error.js';

/** x [batch, 1] → H = log(x) → logits = [H, −H]: NaN for negative inputs. */
function logModel(dir: string): string {
    const b = new GraphBuilder('log_probe');
    b.input('x', 'float32', ['batch', 1]);
    b.node('Log', ['x'], [{ name: 'H', dtype: 'float32', dims: ['batch', 1] }]);
    b.node('Neg', ['H'], [{ name: 'negH', dtype: 'float32', dims: ['batch', 1] }]);
    b.node('Concat', ['H', 'negH'], [{ name: 'logits', dtype: 'float32', dims: ['batch', 2] }], { axis: 1 });
    b.output('logits');
    const path = join(dir, 'log.onnx');
    writeFileSync(path, writeModel(b.build()));
    return path;
}

function specFor(rows: unknown[], extra: Partial<ScrubSpec> = {}): ScrubSpec {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-err-'));
    writeFileSync(join(dir, 'data.jsonl'), rows.map(r => JSON.stringify(r)).join('\n') + '\n');
    return {
        modelPath: logModel(dir),
        dataset: { path: join(dir, 'data.jsonl'), inputs: [{ onnxName: 'x', value: { kind: 'ref', name: 'x' } }], label: 'y' },
        graph: { hooks: [{ name: 'H', tensor: 'H' }] },
        metric: { kind: 'cross_entropy' },
        hypotheses: [{ name: 'nothing', options: { samples: 50, seed: 0, ablation: 'resample', unimportant: 'shared' },
            nodes: [{ name: 'out', graphNode: 'output', feature: null, parents: [] }] }],
        ...extra,
    };
}

describe('engine errors', () => {
    it('stops on a NaN activation, naming the tensor', async () => {
        const rows = Array.from({ length: 20 }, (_, i) => ({ x: [i === 7 ? -1 : i + 1], y: i % 2 }));
        const e = await hypErrorOf(scrub(specFor(rows), { selfCheck: false }));
        expect(e.code).toBe('non-finite-activation');
        expect(e.message).toMatch(/NaN in tensor (H|logits) on dataset example 7 /);
        // Located at the row: the dataset file and its line.
        expect(e.format()).toMatch(/data\.jsonl:8: error non-finite-activation: hypothesis nothing: the model produced NaN/);
    });

    it('names the dataset line whose label is not a class index', async () => {
        const rows = Array.from({ length: 10 }, (_, i) => ({ x: [i + 1], y: i === 4 ? 0.5 : 0 }));
        const e = await hypErrorOf(scrub(specFor(rows)));
        expect(e.format()).toMatch(/data\.jsonl:5: error label-type: .*0\.5/);
    });

    it('refuses a model input no dataset field is bound to', async () => {
        const rows = [{ x: [1], y: 0 }, { x: [2], y: 1 }];
        const spec = specFor(rows);
        const e = await hypErrorOf(scrub({ ...spec, dataset: { ...spec.dataset, inputs: [] } }));
        expect(e.code).toBe('input-unbound');
        expect(e.hint).toMatch(/input x = /);
    });

    it('reports a missing model file with its path', async () => {
        const spec = specFor([{ x: [1], y: 0 }, { x: [2], y: 1 }]);
        const e = await hypErrorOf(scrub({ ...spec, modelPath: '/nowhere/model.onnx' }));
        expect(e.format()).toMatch(/\/nowhere\/model\.onnx.*error model-not-found/);
    });

    it('refuses a degenerate metric where the model is no better than random', async () => {
        // Every example has the same input, so clean and random outputs coincide.
        const rows = Array.from({ length: 10 }, () => ({ x: [2], y: 0 }));
        const e = await hypErrorOf(scrub(specFor(rows)));
        expect(e.code).toBe('degenerate-baseline');
    });

    it('names the dataset line whose label is not one of the model\'s classes, though no root draws it', async () => {
        // Two roots out of 40: the bad row is checked before any is drawn.
        const rows = Array.from({ length: 40 }, (_, i) => ({ x: [i + 1], y: i === 33 ? 2 : i % 2 }));
        const spec = specFor(rows);
        spec.hypotheses[0].options = { ...spec.hypotheses[0].options, samples: 2 };
        const e = await hypErrorOf(scrub(spec));
        expect(e.format()).toMatch(/data\.jsonl:34: error metric-label: the label 2 is not one of the model's 2 classes \(0–1\)/);
    });

    it('names the hypothesis, its file and the dataset line where a feature fails', async () => {
        const rows = Array.from({ length: 10 }, (_, i) => ({ x: [i + 1], y: i % 2, v: i === 6 ? [] : [i] }));
        const spec = specFor(rows);
        const h = spec.hypotheses[0];
        spec.hypotheses = [{ ...h, name: 'firsts', source: { file: '/work/h.hyp', line: 12 }, nodes: [
            { name: 'f', graphNode: 'H', feature: { kind: 'index', target: { kind: 'ref', name: 'v' }, index: { kind: 'number', value: 0 } }, parents: [] },
            { ...h.nodes[0], parents: ['f'] },
        ] }];
        const e = await hypErrorOf(scrub(spec));
        expect(e.format()).toMatch(/data\.jsonl:7: error feature-runtime: hypothesis firsts \(\/work\/h\.hyp:12\): feature of f on dataset row 7: index 0 is out of range/);
    });

    it('locates an error of a hypothesis without a row at the hypothesis', async () => {
        const rows = Array.from({ length: 10 }, () => ({ x: [2], y: 0 }));
        const spec = specFor(rows);
        spec.hypotheses[0] = { ...spec.hypotheses[0], source: { file: '/work/h.hyp', line: 3 } };
        const e = await hypErrorOf(scrub(spec));
        expect(e.format()).toMatch(/^\/work\/h\.hyp:3: error degenerate-baseline: hypothesis nothing: the model does no better/);
    });

    it('refuses a logit_diff class the model does not have before scrubbing', async () => {
        const rows = Array.from({ length: 10 }, (_, i) => ({ x: [i + 1], y: i % 2 }));
        const e = await hypErrorOf(scrub({ ...specFor(rows), metric: { kind: 'logit_diff', a: 0, b: 7 } }));
        expect(e.format()).toMatch(/error metric-label: logit_diff\(0, 7\): class 7 is not one of the model's 2 classes/);
    });

    it('refuses a seed beyond 2^32-1, which the generator would wrap onto a smaller one', async () => {
        const rows = Array.from({ length: 10 }, (_, i) => ({ x: [i + 1], y: i % 2 }));
        const e = await hypErrorOf(scrub(specFor(rows), { seed: 2 ** 32 }));
        expect(e.code).toBe('bad-option');
        expect(e.message).toMatch(/^hypothesis nothing: seed must be an integer from 0 to 4294967295 \(got 4294967296\)$/);
    });

    it('stops when cancelled', async () => {
        const rows = Array.from({ length: 10 }, (_, i) => ({ x: [i + 1], y: i % 2 }));
        const controller = new AbortController();
        controller.abort();
        const e = await hypErrorOf(scrub(specFor(rows), { signal: controller.signal }));
        expect(e.code).toBe('cancelled');
    });
});
