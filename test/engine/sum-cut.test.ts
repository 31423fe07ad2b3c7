// Sum cuts (engine/graph/sum-cut.ts): a split parent read only through a ReduceSum is fed as the
// sum of its parts' reductions, which the clean pass computes; scrubbing the induction example
// with them gives the values scrubbing without them gives.
import { describe, expect, it } from 'vitest';
import { useRewritePair } from '../fixtures/rewrite-pair.js';
import { create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { ValueInfoProtoSchema } from 'onnx-buf';
import { partSumNodes, sumReductions, reducedDims, type Reduction } from '../../engine/graph/sum-cut.js';
import { withNodes } from '../../engine/graph/local-function.js';
import { writeModel } from '../../engine/onnx/read.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { scrubHypothesis } from '../../engine/scrub.js';
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

describe('per-part sums in the clean pass', () => {
    // p [batch, 2, 3, 2] summed over axis 2 (per example: axis 1); parts given per element.
    async function partSums(owners: number[], keepdims: boolean): Promise<{ got: Float32Array; want: Float32Array; ops: string[] }> {
        const dims = [2, 3, 2];
        const b = new GraphBuilder('parts');
        b.input('p', 'float32', ['batch', ...dims]);
        b.node('Identity', ['p'], [{ name: 'q', dtype: 'float32', dims: ['batch', ...dims] }]);
        b.output('q');
        const r: Reduction = { tensor: 'p', reduced: 'unused', axes: [1], keepdims };
        const added = partSumNodes(r, 'sums', Uint16Array.from(owners), 2, dims);
        const model = withNodes(b.build(), added.nodes, added.initializers);
        model.graph!.output.push(create(ValueInfoProtoSchema, { name: 'sums' }));
        const session = await ort.InferenceSession.create(writeModel(model));
        const p = Float32Array.from({ length: 24 }, (_, i) => i + 1);
        const out = await session.run({ p: new ort.Tensor('float32', p, [2, ...dims]) }, ['sums']);
        await session.release();
        // want[b][k][i][j] = Σ_s p[b][i][s][j] over elements of part k.
        const want = new Float32Array(2 * 2 * 2 * 2);
        for (let bb = 0; bb < 2; bb++) for (let i = 0; i < 2; i++) for (let s2 = 0; s2 < 3; s2++) for (let j = 0; j < 2; j++) {
            const e = (i * 3 + s2) * 2 + j;
            want[((bb * 2 + owners[e]) * 2 + i) * 2 + j] += p[bb * 12 + e];
        }
        expect(out.sums.dims).toEqual(keepdims ? [2, 2, 2, 1, 2] : [2, 2, 2, 2]);
        return { got: out.sums.data as Float32Array, want, ops: added.nodes.map(n => n.opType) };
    }

    it('uses one MatMul when parts do not vary along the axes after the reduced one', async () => {
        // Part 1 is position s = 1 of every row, whatever the last axis.
        const owners = Array.from({ length: 12 }, (_, e) => Number(Math.floor(e / 2) % 3 === 1));
        const { got, want, ops } = await partSums(owners, false);
        expect(ops).toContain('MatMul');
        expect([...got]).toEqual([...want]);
    });

    it('masks each part in turn otherwise, keepdims included', async () => {
        const owners = Array.from({ length: 12 }, (_, e) => e % 2);
        const { got, want, ops } = await partSums(owners, true);
        expect(ops).not.toContain('MatMul');
        expect([...got]).toEqual([...want]);
    });
});

describe('scrubbing with sum cuts (the induction example)', () => {
    const pair = useRewritePair('examples/induction/induction.hyp');

    it('feeds layer 1 and the logits layer 0\'s per-part attention sums, verified against hook_z', () => {
        for (const t of ['blocks.1.attn.hook_k_input', 'logits']) {
            expect(pair.on.sumCuts.get(t)).toEqual([{ parent: 2, reduced: 'blocks.0.attn.hook_z', partSums: 'blocks.0.attn.hook_z::parts' }]);
        }
        expect(pair.off.sumCuts.size).toBe(0);
    });

    it('gives every root the value the uncut local functions give', async () => {
        const h = pair.spec.hypotheses.find(x => x.name === 'refined')!;
        const a = await scrubHypothesis(pair.on, h, { samples: 120, perExample: true });
        const b = await scrubHypothesis(pair.off, h, { samples: 120, perExample: true });
        for (let r = 0; r < 120; r++) expect(a.perExample!.scrubbed[r]).toBeCloseTo(b.perExample!.scrubbed[r], 4);
        expect(a.lossRecovered).toBeCloseTo(b.lossRecovered, 5);
    }, 60_000);
});
