// A GPT-2-small-shaped transformer for the benchmark (issue 14): 12 layers, 12 heads, d_model 768,
// MLP 3072, context 128, vocabulary 1,024, with seeded random weights (the numbers a scrub gives
// mean nothing; its cost is what is measured). Written with the project's own ONNX builder, with
// TransformerLens hook names: hook_embed, hook_pos_embed, blocks.L.hook_resid_pre,
// blocks.L.ln1.hook_normalized, blocks.L.attn.hook_q/k/v and hook_z ([batch, pos, head, d_head]: the
// per-head outputs, before W_O), hook_attn_scores, hook_pattern, hook_attn_out, hook_resid_mid,
// ln2.hook_normalized, mlp.hook_pre/hook_post, hook_mlp_out, hook_resid_post, ln_final, logits.
// W_O is applied to all heads together (TransformerLens's default, use_attn_result off): a per-head
// hook_result would be 4.5 MiB per layer and example.
//
// The model (about 350 MB) and its dataset are not in git: ensureGpt2Bench() builds them
// deterministically into bench/gpt2/ (ignored) and rebuilds only when the stamp differs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { makeRng, randInt, type Rng } from '../../examples/paren/lib/rng.js';

export interface Gpt2Config {
    nLayers: number;
    nHeads: number;
    dModel: number;
    dMlp: number;
    nCtx: number;
    vocab: number;
    /** Dataset rows (token sequences). */
    rows: number;
    seed: number;
}

export const GPT2_SMALL: Gpt2Config = { nLayers: 12, nHeads: 12, dModel: 768, dMlp: 3072, nCtx: 128, vocab: 1024, rows: 2000, seed: 14 };

/** Bumped whenever the graph or the data this file writes changes: a cached model with another stamp is rebuilt. */
const BUILDER_VERSION = 1;

export const GPT2_DIR = 'bench/gpt2';
export const GPT2_MODEL = 'gpt2_small.onnx';
export const GPT2_DATASET = 'gpt2.jsonl';
const STAMP = 'build-stamp.json';

/**
 * Builds bench/gpt2/gpt2_small.onnx and gpt2.jsonl unless the files there were built from the same
 * config by this builder version. Returns the seconds spent building (0 when cached).
 */
export function ensureGpt2Bench(root = process.cwd(), c: Gpt2Config = GPT2_SMALL): number {
    const dir = join(root, GPT2_DIR);
    const stamp = JSON.stringify({ version: BUILDER_VERSION, config: c });
    const stampPath = join(dir, STAMP);
    if (existsSync(join(dir, GPT2_MODEL)) && existsSync(join(dir, GPT2_DATASET)) && existsSync(stampPath)
        && readFileSync(stampPath, 'utf8') === stamp) return 0;
    const t = performance.now();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, GPT2_MODEL), writeModel(gpt2Model(c)));
    writeFileSync(join(dir, GPT2_DATASET), gpt2Dataset(c));
    writeFileSync(stampPath, stamp);
    return (performance.now() - t) / 1000;
}

/** Uniform weights of standard deviation `std` (GPT-2 initialises with 0.02), drawn in order from `rng`. */
function weights(rng: Rng, size: number, std: number): Float32Array {
    const a = std * Math.sqrt(3);
    const w = new Float32Array(size);
    for (let i = 0; i < size; i++) w[i] = (2 * rng() - 1) * a;
    return w;
}

/** The model: token ids [batch, nCtx] (int64) in, logits [batch, nCtx, vocab] out. */
export function gpt2Model(c: Gpt2Config): ReturnType<GraphBuilder['build']> {
    const { nLayers, nHeads: h, dModel: d, dMlp: m, nCtx: n, vocab: V } = c;
    const dh = d / h;
    const rng = makeRng(c.seed);
    const g = new GraphBuilder('gpt2_small_random');
    const B = 'batch';
    const F = 'float32';
    const node = (op: string, inputs: string[], name: string, dims: (number | string)[], attrs = {}, dtype = F): string =>
        g.node(op, inputs, [{ name, dtype, dims }], attrs);
    const w = (name: string, dims: number[], std = 0.02) => g.initializer(name, weights(rng, dims.reduce((a, b) => a * b, 1), std), dims);
    const constant = (name: string, values: number[], dims: number[]) => g.initializer(name, Float32Array.from(values), dims);
    const ones = (name: string, size: number) => constant(name, new Array(size).fill(1), [size]);
    const zeros = (name: string, size: number) => constant(name, new Array(size).fill(0), [size]);
    const i64 = (name: string, values: number[]) => g.initializer(name, BigInt64Array.from(values.map(BigInt)), [values.length]);

    const tokens = g.input('tokens', 'int64', [B, n]);
    w('embed.W_E', [V, d]);
    w('pos_embed.W_pos', [n, d], 0.01);
    const embed = node('Gather', ['embed.W_E', tokens], 'hook_embed', [B, n, d], { axis: 0 });
    // [batch, pos, d_model] like TransformerLens's hook: a residual-stream term like any other.
    const tokShape = node('Shape', [tokens], 'tokens_shape', [2], {}, 'int64');
    const embShape = node('Concat', [tokShape, i64('d_model_dim', [d])], 'embed_shape', [3], { axis: 0 }, 'int64');
    const posEmbed = node('Expand', ['pos_embed.W_pos', embShape], 'hook_pos_embed', [B, n, d]);
    let resid = node('Add', [embed, posEmbed], 'blocks.0.hook_resid_pre', [B, n, d]);

    i64('heads_shape', [0, 0, h, dh]);
    i64('flat_shape', [0, 0, d]);
    constant('attn_scale', [1 / Math.sqrt(dh)], []);
    const mask = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) mask[i * n + j] = -1e9;
    g.initializer('causal_mask', mask, [n, n]);
    constant('gelu_scale', [Math.SQRT1_2], []);
    constant('one', [1], []);
    constant('half', [0.5], []);
    const ln = (x: string, p: string, name: string) =>
        g.node('LayerNormalization', [x, ones(`${p}.w`, d), zeros(`${p}.b`, d)], [{ name, dtype: F, dims: [B, n, d] }], { axis: -1, epsilon: { float: 1e-5 } });

    for (let l = 0; l < nLayers; l++) {
        const p = `blocks.${l}`;
        if (l > 0) resid = node('Identity', [resid], `${p}.hook_resid_pre`, [B, n, d]);
        const x = ln(resid, `${p}.ln1`, `${p}.ln1.hook_normalized`);
        const heads: Record<string, string> = {};
        for (const r of ['q', 'k', 'v']) {
            const R = r.toUpperCase();
            const mm = node('MatMul', [x, w(`${p}.attn.W_${R}`, [d, d])], `${p}.attn.${r}_matmul`, [B, n, d]);
            const biased = node('Add', [mm, zeros(`${p}.attn.b_${R}`, d)], `${p}.attn.${r}_flat`, [B, n, d]);
            heads[r] = node('Reshape', [biased, 'heads_shape'], `${p}.attn.hook_${r}`, [B, n, h, dh]);
        }
        const q = node('Transpose', [heads.q], `${p}.attn.q_by_head`, [B, h, n, dh], { perm: [0, 2, 1, 3] });
        const kT = node('Transpose', [heads.k], `${p}.attn.k_by_head_t`, [B, h, dh, n], { perm: [0, 2, 3, 1] });
        const v = node('Transpose', [heads.v], `${p}.attn.v_by_head`, [B, h, n, dh], { perm: [0, 2, 1, 3] });
        const qk = node('MatMul', [q, kT], `${p}.attn.qk`, [B, h, n, n]);
        const scaled = node('Mul', [qk, 'attn_scale'], `${p}.attn.scores_unmasked`, [B, h, n, n]);
        const scores = node('Add', [scaled, 'causal_mask'], `${p}.attn.hook_attn_scores`, [B, h, n, n]);
        const pattern = node('Softmax', [scores], `${p}.attn.hook_pattern`, [B, h, n, n], { axis: -1 });
        const zByHead = node('MatMul', [pattern, v], `${p}.attn.z_by_head`, [B, h, n, dh]);
        const z = node('Transpose', [zByHead], `${p}.attn.hook_z`, [B, n, h, dh], { perm: [0, 2, 1, 3] });
        const zFlat = node('Reshape', [z, 'flat_shape'], `${p}.attn.z_flat`, [B, n, d]);
        const o = node('MatMul', [zFlat, w(`${p}.attn.W_O`, [d, d])], `${p}.attn.o_matmul`, [B, n, d]);
        const attnOut = node('Add', [o, zeros(`${p}.attn.b_O`, d)], `${p}.hook_attn_out`, [B, n, d]);
        const mid = node('Add', [resid, attnOut], `${p}.hook_resid_mid`, [B, n, d]);
        const x2 = ln(mid, `${p}.ln2`, `${p}.ln2.hook_normalized`);
        const preMm = node('MatMul', [x2, w(`${p}.mlp.W_in`, [d, m])], `${p}.mlp.in_matmul`, [B, n, m]);
        const pre = node('Add', [preMm, zeros(`${p}.mlp.b_in`, m)], `${p}.mlp.hook_pre`, [B, n, m]);
        // GELU (exact: x·(1 + erf(x/√2))/2); opset 17 has no Gelu op.
        const erfIn = node('Mul', [pre, 'gelu_scale'], `${p}.mlp.gelu_scaled`, [B, n, m]);
        const erf = node('Erf', [erfIn], `${p}.mlp.gelu_erf`, [B, n, m]);
        const erf1 = node('Add', [erf, 'one'], `${p}.mlp.gelu_erf1`, [B, n, m]);
        const xErf = node('Mul', [pre, erf1], `${p}.mlp.gelu_x_erf1`, [B, n, m]);
        const post = node('Mul', [xErf, 'half'], `${p}.mlp.hook_post`, [B, n, m]);
        const outMm = node('MatMul', [post, w(`${p}.mlp.W_out`, [m, d])], `${p}.mlp.out_matmul`, [B, n, d]);
        const mlpOut = node('Add', [outMm, zeros(`${p}.mlp.b_out`, d)], `${p}.hook_mlp_out`, [B, n, d]);
        resid = node('Add', [mid, mlpOut], `${p}.hook_resid_post`, [B, n, d]);
    }
    const final = ln(resid, 'ln_final', 'ln_final.hook_normalized');
    const mm = node('MatMul', [final, w('unembed.W_U', [d, V])], 'unembed.matmul', [B, n, V]);
    node('Add', [mm, zeros('unembed.b_U', V)], 'logits', [B, n, V]);
    g.output('logits');
    return g.build();
}

/**
 * Token sequences: a random first half repeated in the second with a tenth of its tokens replaced
 * (the shape induction heads feed on, though random weights have none), BOS 0 first.
 */
export function gpt2Dataset(c: Gpt2Config): string {
    const rng = makeRng(c.seed + 1);
    const lines: string[] = [];
    const half = Math.floor(c.nCtx / 2);
    for (let r = 0; r < c.rows; r++) {
        const first = Array.from({ length: half }, (_, i) => (i === 0 ? 0 : 1 + randInt(rng, c.vocab - 1)));
        const tokens = Array.from({ length: c.nCtx }, (_, i) => {
            if (i < half) return first[i];
            return rng() < 0.1 ? 1 + randInt(rng, c.vocab - 1) : first[i - half];
        });
        lines.push(JSON.stringify({ tokens }));
    }
    return lines.join('\n') + '\n';
}

// `npx esbuild … && node …`: build (or confirm) the bench model from the command line.
if (process.argv[1]?.endsWith('build-gpt2.mjs')) {
    const seconds = ensureGpt2Bench();
    console.log(seconds > 0 ? `built ${GPT2_DIR}/${GPT2_MODEL} and ${GPT2_DATASET} in ${seconds.toFixed(1)} s` : `${GPT2_DIR}/${GPT2_MODEL} is up to date`);
}
