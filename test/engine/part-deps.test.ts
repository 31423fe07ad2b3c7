// Part-level G edges (graph/part-deps.ts): a part of a parent is a G-parent of a part of a child
// only when some element of the child part depends on some element of the parent part.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import { refineModelGraph } from '../../engine/graph/probe.js';
import { probeModel, probeModelFile } from '../../engine/runtime/probe-model.js';
import { modelGraphFromProto } from '../../engine/graph/model-graph.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { probedTensorNames } from '../../engine/graph/probe.js';
import type { GraphSpec } from '../../engine/spec.js';
import { TOY_MODEL } from './graph-fixtures.js';

const TINY = join(import.meta.dirname, '../../examples/torch-export/tiny_gpt.onnx');
const byPosition = (name: string, tensor: string) => ({ name, tensor, split: { axis: 1, parts: [{ name: 'p0', indices: [0] }, { name: 'p15', indices: [15] }] } });

/** The raw torch export's graph with the shapes of one run on two token rows. */
async function tinyGraph() {
    const graph = loadModelGraph(TINY);
    const tokens = BigInt64Array.from({ length: 32 }, (_, i) => BigInt((i * 7) % 12));
    return refineModelGraph(graph, await probeModelFile(TINY, probedTensorNames(graph), [{ name: 'tokens', dtype: 'int64', dims: [16], data: tokens }]));
}

describe('part-level G edges', () => {
    it('on the toy model, A reads input.z1 alone and B input.z2 alone, though all three are parents at tensor level', () => {
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 'z1', indices: [0] }, { name: 'z2', indices: [1] }, { name: 'z3', indices: [2] }] },
            hooks: ['A', 'B', 'C', 'D'].map(n => ({ name: n, tensor: n })),
        };
        const { g } = deriveG(loadModelGraph(TOY_MODEL), spec);
        expect(g.parents('A')).toEqual(['input.z1', 'input.z2', 'input.z3']);
        expect(g.partParents('A')).toEqual(['input.z1']);
        expect(g.partParents('B')).toEqual(['input.z2']);
        expect(g.partParents('C')).toEqual(['input.z3']);
        // C is multiplied by zero, but an element-wise product depends on both factors: still a parent.
        expect(g.partParents('D')).toEqual(g.parents('D'));
    });

    it('on a raw torch export, a position of the embeddings, LayerNorm and the fused qkv Linear reads that position of the tokens alone', async () => {
        const graph = await tinyGraph();
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 't0', indices: [0] }, { name: 't15', indices: [15] }] },
            hooks: [byPosition('LN', '/blocks.0/ln1/LayerNormalization_output_0'), byPosition('QKV', '/blocks.0/attn/qkv/Add_output_0')],
        };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        expect(g.partParents('LN.p0')).toEqual(['input.t0']);
        expect(g.partParents('LN.p15')).toEqual(['input.t15']);
        expect(g.partParents('LN.rest')).toEqual(['input.rest']);
        expect(g.partParents('QKV.p0')).toEqual(['LN.p0']);
        expect(g.partParents('QKV.rest')).toEqual(['LN.rest']);
    });

    it('through the causal mask (a Where on a mask whose values the probe run read), the attention pattern of query position 0 reads token 0 alone', async () => {
        const graph = await tinyGraph();
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 't0', indices: [0] }, { name: 't15', indices: [15] }] },
            hooks: [
                { name: 'A', tensor: '/blocks.0/attn/Softmax_output_0', split: { axis: 2, parts: [{ name: 'q0', indices: [0] }, { name: 'q1', indices: [1] }] } },
                { name: 'Z', tensor: '/blocks.1/attn/MatMul_1_output_0', split: { axis: 2, parts: [{ name: 'q0', indices: [0] }] } },
            ],
        };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        expect(g.partParents('A.q0')).toEqual(['input.t0']);
        // Position 1 reads tokens 0 and 1 (the latter in input.rest); position 15 only in A.rest.
        expect(g.partParents('A.q1')).toEqual(['input.t0', 'input.rest']);
        expect(g.partParents('A.rest')).toEqual(['input.t0', 'input.t15', 'input.rest']);
        // Layer 1's causal softmax gives exact zeros past query 0, so its att @ v reads position 0
        // of the residual stream alone: of A, row 0. That row is a hook (its values unknown to the
        // structure), so layer 0's att @ v still reads v at every position: all the tokens.
        expect(g.parents('Z.q0')).toEqual(['input.t0', 'input.t15', 'input.rest', 'A.q0', 'A.q1', 'A.rest']);
        expect(g.partParents('Z.q0')).toEqual(['input.t0', 'input.t15', 'input.rest', 'A.q0']);
    });

    it('att @ v after a causal softmax reads only the value positions at or before the query (the masked weights are exact zeros)', async () => {
        const graph = await tinyGraph();
        const positions = (axis: number) => ({ axis, parts: [{ name: 'p0', indices: [0] }, { name: 'p1', indices: [1] }, { name: 'p15', indices: [15] }] });
        const spec: GraphSpec = {
            hooks: [
                // v after the head reshape: [batch, head, position, d_head].
                { name: 'V', tensor: '/blocks.0/attn/Transpose_1_output_0', split: positions(2) },
                { name: 'Z', tensor: '/blocks.0/attn/MatMul_1_output_0', split: positions(2) },
            ],
        };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        expect(g.parents('Z.p0')).toEqual(['input', 'V.p0', 'V.p1', 'V.p15', 'V.rest']);
        expect(g.partParents('Z.p0')).toEqual(['input', 'V.p0']);
        expect(g.partParents('Z.p1')).toEqual(['input', 'V.p0', 'V.p1']);
        expect(g.partParents('Z.p15')).toEqual(['input', 'V.p0', 'V.p1', 'V.p15', 'V.rest']);
        expect(g.partParents('Z.rest')).toEqual(['input', 'V.p0', 'V.p1', 'V.rest']);
    });

    it('through Split, the head reshape and transpose, q @ kᵀ and att @ v, head h of layer 0 reads head h of its q, k and v alone', async () => {
        const graph = await tinyGraph();
        const heads = { axis: 1, parts: [0, 1, 2, 3].map(h => ({ name: `h${h}`, indices: [h] })) };
        const spec: GraphSpec = {
            hooks: [
                { name: 'Q', tensor: '/blocks.0/attn/Transpose_output_0', split: heads },
                { name: 'Z', tensor: '/blocks.0/attn/MatMul_1_output_0', split: heads },
            ],
        };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        // k and v are recomputed from the input inside Z's local function; q comes from the hook Q.
        expect(g.partParents('Z.h2')).toEqual(['input', 'Q.h2']);
        expect(g.parents('Z.h2')).toEqual(['input', 'Q.h0', 'Q.h1', 'Q.h2', 'Q.h3']);
    });

    it('a hand-built causal attention whose -inf is a computed [1, T, T] tensor: att @ x reads the positions at or before the query', async () => {
        // x [batch, 4, 2]; s = x · xᵀ; Where(lower-triangular mask, s, -inf) (both computed from
        // integer initializers, so the probe reads their values); softmax; z = att · x.
        const b = new GraphBuilder('causal');
        const f = (name: string, ...dims: number[]) => ({ name, dtype: 'float32', dims: ['batch', ...dims] });
        const c = (name: string, dtype: string) => ({ name, dtype, dims: [1, 4, 4] });
        b.input('x', 'float32', ['batch', 4, 2]);
        b.initializer('tril', BigInt64Array.from({ length: 16 }, (_, i) => (i % 4 <= Math.floor(i / 4) ? 1n : 0n)), [1, 4, 4]);
        b.initializer('zeros', new BigInt64Array(16), [1, 4, 4]);
        b.node('Cast', ['tril'], [c('mask', 'bool')], { to: 9 });
        b.node('Cast', ['zeros'], [c('zero', 'float32')], { to: 1 });
        b.node('Reciprocal', ['zero'], [c('inf', 'float32')]);
        b.node('Neg', ['inf'], [c('neg_inf', 'float32')]);
        b.node('Transpose', ['x'], [f('xt', 2, 4)], { perm: [0, 2, 1] });
        b.node('MatMul', ['x', 'xt'], [f('s', 4, 4)]);
        b.node('Where', ['mask', 's', 'neg_inf'], [f('masked', 4, 4)]);
        b.node('Softmax', ['masked'], [f('att', 4, 4)], { axis: -1 });
        b.node('MatMul', ['att', 'x'], [f('z', 4, 2)]);
        b.node('Flatten', ['z'], [f('out', 8)], { axis: 1 });
        b.output('out');
        const model = b.build();
        const file = modelGraphFromProto(model, 'causal.onnx');
        const feeds = [{ name: 'x', dtype: 'float32', dims: [4, 2], data: Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)) }];
        const graph = refineModelGraph(file, await probeModel(model, probedTensorNames(file), feeds));
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 'p0', indices: [0] }, { name: 'p3', indices: [3] }] },
            hooks: [{ name: 'Z', tensor: 'z', split: { axis: 1, parts: [{ name: 'q0', indices: [0] }, { name: 'q2', indices: [2] }] } }],
        };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        expect(g.partParents('Z.q0')).toEqual(['input.p0']);
        expect(g.partParents('Z.q2')).toEqual(['input.p0', 'input.rest']);
        expect(g.partParents('Z.rest')).toEqual(['input.p0', 'input.p3', 'input.rest']);
    });
});
