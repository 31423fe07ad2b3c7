// A NaN made inside a fused chunk's graph is reported where the staged executor reports it: the
// fused graph returns only the scrubbed outputs, so the chunk is rerun staged to find the first
// local function whose output is not finite (engine/execute/fused-executor.ts, diagnose).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HypError } from '../../engine/errors.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { scrub } from '../../engine/scrub.js';
import type { ScrubSpec } from '../../engine/spec.js';

/**
 * x, y [batch, 1] → X = x, Y = y → H = log(X·Y) → logits = [H, −H]. Every row has x and y of one
 * sign, so clean runs are finite; a hypothesis taking X and Y from different examples multiplies
 * a negative by a positive, and H is NaN.
 */
function spec(): ScrubSpec {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-fused-nan-'));
    const b = new GraphBuilder('log_product');
    const t = (name: string) => ({ name, dtype: 'float32', dims: ['batch', 1] });
    b.input('x', 'float32', ['batch', 1]);
    b.input('y', 'float32', ['batch', 1]);
    b.node('Identity', ['x'], [t('X')]);
    b.node('Identity', ['y'], [t('Y')]);
    b.node('Mul', ['X', 'Y'], [t('P')]);
    b.node('Log', ['P'], [t('H')]);
    b.node('Neg', ['H'], [t('negH')]);
    b.node('Concat', ['H', 'negH'], [{ name: 'logits', dtype: 'float32', dims: ['batch', 2] }], { axis: 1 });
    b.output('logits');
    writeFileSync(join(dir, 'model.onnx'), writeModel(b.build()));
    const rows = Array.from({ length: 40 }, (_, i) => {
        const m = [0.5, 2, 3][i % 3];
        const s = i % 2 === 0 ? 1 : -1;
        return { x: [s * m], y: [s * m], label: m < 1 ? 1 : 0 };
    });
    writeFileSync(join(dir, 'data.jsonl'), rows.map(r => JSON.stringify(r)).join('\n') + '\n');
    const anyExample = { kind: 'number', value: 0 } as const;
    return {
        modelPath: join(dir, 'model.onnx'),
        dataset: {
            path: join(dir, 'data.jsonl'), label: 'label',
            inputs: [{ onnxName: 'x', value: { kind: 'ref', name: 'x' } }, { onnxName: 'y', value: { kind: 'ref', name: 'y' } }],
        },
        graph: { hooks: [{ name: 'X', tensor: 'X' }, { name: 'Y', tensor: 'Y' }, { name: 'H', tensor: 'H' }] },
        metric: { kind: 'cross_entropy' },
        hypotheses: [{ name: 'mixed', options: { samples: 64, seed: 0, ablation: 'resample', unimportant: 'shared' }, nodes: [
            { name: 'x', graphNode: 'X', feature: anyExample, parents: ['input'] },
            { name: 'y', graphNode: 'Y', feature: anyExample, parents: ['input'] },
            { name: 'h', graphNode: 'H', feature: null, parents: ['x', 'y'] },
            { name: 'out', graphNode: 'output', feature: null, parents: ['h'] },
        ] }],
    };
}

async function errorOf(p: Promise<unknown>): Promise<HypError> {
    try {
        await p;
    } catch (e) {
        expect(e).toBeInstanceOf(HypError);
        return e as HypError;
    }
    throw new Error('expected an error');
}

describe('non-finite values in a fused chunk', () => {
    it('are reported at the local function that made them, as the staged executor reports them', async () => {
        const s = spec();
        const staged = await errorOf(scrub(s, { exec: 'staged', threads: 1, selfCheck: false }));
        expect(staged.code).toBe('non-finite-activation');
        // H is the first local function whose output is NaN; logits, which the fused graph returns, follows it.
        expect(staged.message).toMatch(/NaN in tensor H on scrubbed inputs/);
        const fused = await errorOf(scrub(s, { exec: 'fused', threads: 1, selfCheck: false }));
        expect(fused.format()).toBe(staged.format());
        expect(fused.hint).toBe(staged.hint);
    }, 60_000);
});
