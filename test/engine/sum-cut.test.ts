// Sum cuts (engine/graph/sum-cut.ts): a split parent read only through a ReduceSum is fed as the
// sum of its parts' reductions, which the clean pass computes; scrubbing the induction example
// with them gives the values scrubbing without them gives.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumReductions, reducedDims } from '../../engine/graph/sum-cut.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import type { ScrubSpec } from '../../engine/spec.js';
import { checkHypFile } from '../../language/check-file.js';
import { weights } from './graph-fixtures.js';

describe('sum reductions', () => {
    it('finds the ReduceSum that is a split parent\'s only reader, with per-example axes', () => {
        const b = new GraphBuilder('reduce');
        b.input('x', 'float32', ['batch', 2, 3]);
        b.initializer('W', weights(6, 1), [2, 3]);
        b.initializer('axes', BigInt64Array.of(-1n), [1]);
        b.node('Mul', ['x', 'W'], [{ name: 't', dtype: 'float32', dims: ['batch', 2, 3] }]);
        b.node('ReduceSum', ['t', 'axes'], [{ name: 's', dtype: 'float32', dims: ['batch', 2] }], { keepdims: 0 });
        b.node('Relu', ['s'], [{ name: 'out', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('out');
        const found = sumReductions(b.build(), 'out', ['t'], new Set([0]), () => 3);
        expect(found.get(0)).toEqual({ tensor: 't', reduced: 's', axes: [1], keepdims: false });
        expect(reducedDims([2, 3], found.get(0)!)).toEqual([2]);
    });

    it('finds none when the parent is also read elsewhere, or summed over the batch axis', () => {
        const b = new GraphBuilder('reduce-twice');
        b.input('x', 'float32', ['batch', 2, 3]);
        b.initializer('W', weights(6, 1), [2, 3]);
        b.initializer('axes', BigInt64Array.of(2n), [1]);
        b.initializer('batch_axis', BigInt64Array.of(0n), [1]);
        b.node('Mul', ['x', 'W'], [{ name: 't', dtype: 'float32', dims: ['batch', 2, 3] }]);
        b.node('ReduceSum', ['t', 'axes'], [{ name: 's', dtype: 'float32', dims: ['batch', 2, 1] }]);
        b.node('Add', ['s', 't'], [{ name: 'out', dtype: 'float32', dims: ['batch', 2, 3] }]);
        b.node('ReduceSum', ['t', 'batch_axis'], [{ name: 'over_batch', dtype: 'float32', dims: [1, 2, 3] }]);
        b.output('out');
        b.output('over_batch');
        const model = b.build();
        expect(sumReductions(model, 'out', ['t'], new Set([0]), () => 3).size).toBe(0);
        expect(sumReductions(model, 'over_batch', ['t'], new Set([0]), () => 3).size).toBe(0);
    });
});

describe('scrubbing with sum cuts (the induction example)', () => {
    let spec: ScrubSpec;
    let cut: PreparedScrub;
    let uncut: PreparedScrub;
    beforeAll(async () => {
        spec = (await checkHypFile(join(import.meta.dirname, '../../examples/induction/induction.hyp'))).spec!;
        cut = await prepareScrub(spec, { ep: 'cpu' });
        uncut = await prepareScrub(spec, { ep: 'cpu', cleanCuts: false });
    }, 60_000);
    afterAll(async () => {
        await cut?.runner.dispose();
        await uncut?.runner.dispose();
    });

    it('feeds layer 1 and the logits layer 0\'s per-part attention sums, verified against hook_z', () => {
        for (const t of ['blocks.1.attn.hook_k_input', 'logits']) {
            expect(cut.sumCuts.get(t)).toEqual([{ parent: 2, reduced: 'blocks.0.attn.hook_z', partSums: 'blocks.0.attn.hook_z::parts' }]);
        }
        expect(uncut.sumCuts.size).toBe(0);
    });

    it('gives every root the value the uncut local functions give', async () => {
        const h = spec.hypotheses.find(x => x.name === 'refined')!;
        const a = await scrubHypothesis(cut, h, { samples: 120, perExample: true });
        const b = await scrubHypothesis(uncut, h, { samples: 120, perExample: true });
        for (let r = 0; r < 120; r++) expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
        expect(a.lossRecovered).toBeCloseTo(b.lossRecovered, 5);
    }, 60_000);
});
