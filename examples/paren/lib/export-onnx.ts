// Writes a trained transformer as an ONNX graph whose tensors carry TransformerLens names, with the
// tensors hypotheses need made explicit: per-head copies of the residual stream as read by q, k and
// v, per-head results whose sum is the attention output, and (for chosen layers) the attention
// output per source position. Every tensor is typed; the batch dim is symbolic.
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../engine/onnx/builder.js';
import { maskData, LN_EPS, paramSpecs, type TransformerConfig, type Weights } from './transformer.js';

const F = 'float32';
const B = 'batch';

/** The ONNX model of a transformer with the given weights. */
export function exportTransformer(c: TransformerConfig, w: Weights, graphName: string): ModelProto {
    const g = new GraphBuilder(graphName);
    const { nCtx: n, dModel: d, nHeads: h, dHead: dh } = c;
    for (const s of paramSpecs(c)) {
        // q/k/v biases broadcast over positions in the head-major layout [b, h, pos, d_head].
        const dims = /\.attn\.b_[QKV]$/.test(s.name) ? [h, 1, dh] : s.dims;
        g.initializer(s.name, w.get(s.name)!, dims);
    }
    const i64 = (name: string, values: number[], dims: number[] = [values.length]): string =>
        g.initializer(name, BigInt64Array.from(values.map(BigInt)), dims);
    const f32 = (name: string, values: Float32Array | number[], dims: number[]): string =>
        g.initializer(name, Float32Array.from(values), dims);
    const node = (op: string, inputs: string[], name: string, dims: (number | string)[], attrs = {}, dtype = F): string =>
        g.node(op, inputs, [{ name, dtype, dims }], attrs);

    const tokens = g.input('tokens', 'int64', [B, n]);
    const embed = node('Gather', ['embed.W_E', tokens], 'hook_embed', [B, n, d], { axis: 0 });
    // The positional embedding as a [batch, pos, d_model] tensor like TransformerLens's hook, so
    // hypotheses can treat it as any other residual-stream term.
    const tokShape = node('Shape', [tokens], 'tokens_shape', [2], {}, 'int64');
    const embShape = node('Concat', [tokShape, i64('d_model_dim', [d])], 'embed_shape', [3], { axis: 0 }, 'int64');
    const posEmbed = node('Expand', ['pos_embed.W_pos', embShape], 'hook_pos_embed', [B, n, d]);
    let resid = node('Add', [embed, posEmbed], 'blocks.0.hook_resid_pre', [B, n, d]);

    i64('axes_2', [2]);
    if (c.zTermsLayers.length > 0) {
        i64('axes_3', [3]);
        i64('axes_4', [4]);
    }
    i64('head_repeats', [1, 1, h, 1]);
    f32('attn_scale', [1 / Math.sqrt(dh)], []);
    if (c.mask !== 'none') f32('attention_mask', maskData(c.mask, n), [n, n]);

    for (let l = 0; l < c.nLayers; l++) {
        const p = `blocks.${l}`;
        if (l > 0) resid = node('Identity', [resid], `${p}.hook_resid_pre`, [B, n, d]);
        const unsq = node('Unsqueeze', [resid, 'axes_2'], `${p}.attn.resid_unsqueezed`, [B, n, 1, d]);
        const qkv: Record<string, string> = {};
        for (const x of ['q', 'k', 'v']) {
            // One copy of the residual stream per head and per role: scrubbing head 1's keys leaves
            // its queries, its values and the other heads untouched.
            let input = node('Tile', [unsq, 'head_repeats'], `${p}.attn.hook_${x}_input`, [B, n, h, d]);
            if (c.layerNorm) {
                input = g.node('LayerNormalization', [input, `${p}.ln1.w`, `${p}.ln1.b`],
                    [{ name: `${p}.ln1.hook_normalized_${x}`, dtype: F, dims: [B, n, h, d] }],
                    { axis: -1, epsilon: { float: LN_EPS } });
            }
            const t = node('Transpose', [input], `${p}.attn.${x}_input_by_head`, [B, h, n, d], { perm: [0, 2, 1, 3] });
            const X = x.toUpperCase();
            const mm = node('MatMul', [t, `${p}.attn.W_${X}`], `${p}.attn.${x}_matmul`, [B, h, n, dh]);
            qkv[x] = node('Add', [mm, `${p}.attn.b_${X}`], `${p}.attn.hook_${x}`, [B, h, n, dh]);
        }
        const kT = node('Transpose', [qkv.k], `${p}.attn.k_transposed`, [B, h, dh, n], { perm: [0, 1, 3, 2] });
        const qk = node('MatMul', [qkv.q, kT], `${p}.attn.qk`, [B, h, n, n]);
        let scores = node('Mul', [qk, 'attn_scale'], c.mask !== 'none' ? `${p}.attn.scores_unmasked` : `${p}.attn.hook_attn_scores`, [B, h, n, n]);
        if (c.mask !== 'none') scores = node('Add', [scores, 'attention_mask'], `${p}.attn.hook_attn_scores`, [B, h, n, n]);
        const pattern = node('Softmax', [scores], `${p}.attn.hook_pattern`, [B, h, n, n], { axis: -1 });
        let z: string;
        if (c.zTermsLayers.includes(l)) {
            // z = Σ_src pattern[dst, src] · v[src], each term kept: a split by (dst, src) predicate
            // isolates e.g. the attention to the previous token.
            const p5 = node('Unsqueeze', [pattern, 'axes_4'], `${p}.attn.pattern_unsqueezed`, [B, h, n, n, 1]);
            const v5 = node('Unsqueeze', [qkv.v, 'axes_2'], `${p}.attn.v_unsqueezed`, [B, h, 1, n, dh]);
            const terms = node('Mul', [p5, v5], `${p}.attn.hook_z_terms`, [B, h, n, n, dh]);
            z = node('ReduceSum', [terms, 'axes_3'], `${p}.attn.hook_z`, [B, h, n, dh], { keepdims: 0 });
        } else {
            z = node('MatMul', [pattern, qkv.v], `${p}.attn.hook_z`, [B, h, n, dh]);
        }
        const resH = node('MatMul', [z, `${p}.attn.W_O`], `${p}.attn.result_by_head`, [B, h, n, d]);
        const result = node('Transpose', [resH], `${p}.attn.hook_result`, [B, n, h, d], { perm: [0, 2, 1, 3] });
        const sum = node('ReduceSum', [result, 'axes_2'], `${p}.attn.result_sum`, [B, n, d], { keepdims: 0 });
        const attnOut = node('Add', [sum, `${p}.attn.b_O`], `${p}.hook_attn_out`, [B, n, d]);
        if (c.dMlp !== null) {
            const mid = node('Add', [resid, attnOut], `${p}.hook_resid_mid`, [B, n, d]);
            let mIn = mid;
            if (c.layerNorm) {
                mIn = g.node('LayerNormalization', [mid, `${p}.ln2.w`, `${p}.ln2.b`],
                    [{ name: `${p}.ln2.hook_normalized`, dtype: F, dims: [B, n, d] }], { axis: -1, epsilon: { float: LN_EPS } });
            }
            const preMm = node('MatMul', [mIn, `${p}.mlp.W_in`], `${p}.mlp.in_matmul`, [B, n, c.dMlp]);
            const pre = node('Add', [preMm, `${p}.mlp.b_in`], `${p}.mlp.hook_pre`, [B, n, c.dMlp]);
            const post = node('Relu', [pre], `${p}.mlp.hook_post`, [B, n, c.dMlp]);
            const outMm = node('MatMul', [post, `${p}.mlp.W_out`], `${p}.mlp.out_matmul`, [B, n, d]);
            const mlpOut = node('Add', [outMm, `${p}.mlp.b_out`], `${p}.hook_mlp_out`, [B, n, d]);
            resid = node('Add', [mid, mlpOut], `${p}.hook_resid_post`, [B, n, d]);
        } else {
            resid = node('Add', [resid, attnOut], `${p}.hook_resid_post`, [B, n, d]);
        }
    }
    if (c.layerNorm) {
        resid = g.node('LayerNormalization', [resid, 'ln_final.w', 'ln_final.b'],
            [{ name: 'ln_final.hook_normalized', dtype: F, dims: [B, n, d] }], { axis: -1, epsilon: { float: LN_EPS } });
    }
    if (c.readout === 'first') {
        const first = node('Gather', [resid, i64('position_0', [0], [])], 'unembed.hook_in', [B, d], { axis: 1 });
        const mm = node('MatMul', [first, 'unembed.W_U'], 'unembed.matmul', [B, c.nOut]);
        node('Add', [mm, 'unembed.b_U'], 'logits', [B, c.nOut]);
    } else {
        const mm = node('MatMul', [resid, 'unembed.W_U'], 'unembed.matmul', [B, n, c.nOut]);
        node('Add', [mm, 'unembed.b_U'], 'logits', [B, n, c.nOut]);
    }
    g.output('logits');
    return g.build();
}
