// The transformer both bundled language models use, written once for training (tfjs) with the
// same parameter names the ONNX export gives its initializers (TransformerLens names), so a model
// read back from its .onnx file runs through this forward and can be compared with onnxruntime.
import * as tf from '@tensorflow/tfjs';
import { randNormal, type Rng } from './rng.js';

/** The shape of a model; the paren classifier and the induction model are two settings of it. */
export interface TransformerConfig {
    vocab: number;
    nCtx: number;
    dModel: number;
    nLayers: number;
    nHeads: number;
    dHead: number;
    /** Hidden width of each block's MLP; null for an attention-only model. */
    dMlp: number | null;
    /** Pre-norm layer norms (ln1, ln2, ln_final) or none at all. */
    layerNorm: boolean;
    /**
     * Which sources a destination may attend to: 'causal' src <= dst (language model),
     * 'anticausal' src >= dst (a classifier read at position 0 that sees everything, while every
     * other position sees the string from itself to the end), 'none' everything.
     */
    mask: 'none' | 'causal' | 'anticausal';
    /** Width of the unembedding: classes or vocabulary. */
    nOut: number;
    /** 'first': logits [batch, nOut] read at position 0; 'all': logits [batch, pos, nOut]. */
    readout: 'first' | 'all';
    /** Layers whose attention output is also exported per source position (hook_z_terms). */
    zTermsLayers: readonly number[];
    /**
     * Initialise the (learned) positional embedding with sinusoids instead of noise: a relative
     * shift is then a linear map, so a previous-token head can form within a CPU training budget.
     */
    sinusoidalPosInit?: boolean;
}

/** A parameter's name (its ONNX initializer name) and dims. */
export interface ParamSpec {
    name: string;
    dims: number[];
    /** Standard deviation of the normal initialisation; 0 for zeros, 'one' for ones. */
    init: number | 'one';
}

export const LN_EPS = 1e-5;

/** Every parameter of the model, in a fixed order (initialisation draws in this order). */
export function paramSpecs(c: TransformerConfig): ParamSpec[] {
    const { dModel: d, nHeads: h, dHead: dh } = c;
    const specs: ParamSpec[] = [
        { name: 'embed.W_E', dims: [c.vocab, d], init: c.layerNorm ? 1 : 0.5 },
        { name: 'pos_embed.W_pos', dims: [c.nCtx, d], init: c.layerNorm ? 1 : 0.5 },
    ];
    const outScale = 1 / Math.sqrt(2 * c.nLayers);
    for (let l = 0; l < c.nLayers; l++) {
        const p = `blocks.${l}`;
        if (c.layerNorm) specs.push({ name: `${p}.ln1.w`, dims: [d], init: 'one' }, { name: `${p}.ln1.b`, dims: [d], init: 0 });
        for (const x of ['Q', 'K', 'V']) {
            specs.push({ name: `${p}.attn.W_${x}`, dims: [h, d, dh], init: 1 / Math.sqrt(d) },
                { name: `${p}.attn.b_${x}`, dims: [h, dh], init: 0 });
        }
        specs.push({ name: `${p}.attn.W_O`, dims: [h, dh, d], init: outScale / Math.sqrt(h * dh) },
            { name: `${p}.attn.b_O`, dims: [d], init: 0 });
        if (c.dMlp !== null) {
            if (c.layerNorm) specs.push({ name: `${p}.ln2.w`, dims: [d], init: 'one' }, { name: `${p}.ln2.b`, dims: [d], init: 0 });
            specs.push({ name: `${p}.mlp.W_in`, dims: [d, c.dMlp], init: 1 / Math.sqrt(d) },
                { name: `${p}.mlp.b_in`, dims: [c.dMlp], init: 0 },
                { name: `${p}.mlp.W_out`, dims: [c.dMlp, d], init: outScale / Math.sqrt(c.dMlp) },
                { name: `${p}.mlp.b_out`, dims: [d], init: 0 });
        }
    }
    if (c.layerNorm) specs.push({ name: 'ln_final.w', dims: [d], init: 'one' }, { name: 'ln_final.b', dims: [d], init: 0 });
    specs.push({ name: 'unembed.W_U', dims: [d, c.nOut], init: 1 / Math.sqrt(d) }, { name: 'unembed.b_U', dims: [c.nOut], init: 0 });
    return specs;
}

/** Trained or initial weights by parameter name. */
export type Weights = Map<string, Float32Array>;

/** Seeded initial weights. */
export function initWeights(c: TransformerConfig, rng: Rng): Weights {
    const w: Weights = new Map();
    for (const s of paramSpecs(c)) {
        const a = new Float32Array(s.dims.reduce((x, y) => x * y, 1));
        if (s.name === 'pos_embed.W_pos' && c.sinusoidalPosInit === true) a.set(sinusoids(c.nCtx, c.dModel));
        else if (s.init === 'one') a.fill(1);
        else if (s.init !== 0) for (let i = 0; i < a.length; i++) a[i] = randNormal(rng) * s.init;
        w.set(s.name, a);
    }
    return w;
}

function sinusoids(n: number, d: number): Float32Array {
    const a = new Float32Array(n * d);
    for (let pos = 0; pos < n; pos++) {
        for (let i = 0; i < d / 2; i++) {
            const angle = pos / Math.pow(10000, (2 * i) / d);
            a[pos * d + 2 * i] = Math.sin(angle);
            a[pos * d + 2 * i + 1] = Math.cos(angle);
        }
    }
    return a;
}

/** tfjs variables (or constants) holding the weights. */
export function toTensors(c: TransformerConfig, w: Weights, trainable: boolean): Map<string, tf.Variable | tf.Tensor> {
    const m = new Map<string, tf.Variable | tf.Tensor>();
    for (const s of paramSpecs(c)) {
        const t = tf.tensor(w.get(s.name)!, s.dims, 'float32');
        m.set(s.name, trainable ? tf.variable(t, true, s.name) : t);
    }
    return m;
}

/** What a forward pass returns: logits, and the attention pattern of every layer [b, h, dst, src]. */
export interface ForwardResult {
    logits: tf.Tensor;
    patterns: tf.Tensor4D[];
}

function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS))), w), b);
}

/**
 * The model on int32 tokens [batch, pos]. Tokens are embedded by a one-hot matmul because the wasm
 * backend has no gradient for gather; heads are computed together, which equals the per-head
 * computation the ONNX export spells out up to float rounding.
 */
export function forward(c: TransformerConfig, p: Map<string, tf.Tensor>, tokens: tf.Tensor2D): ForwardResult {
    const P = (name: string): tf.Tensor => {
        const t = p.get(name);
        if (t === undefined) throw new Error(`missing parameter ${name}`);
        return t;
    };
    const [b, n] = tokens.shape;
    const { dModel: d, nHeads: h, dHead: dh } = c;
    // Cast: the wasm backend's oneHot ignores its dtype argument and writes int32 bits.
    const oneHot = tf.cast(tf.oneHot(tf.reshape(tokens, [b * n]), c.vocab), 'float32');
    let x: tf.Tensor = tf.add(tf.reshape(tf.matMul(oneHot, P('embed.W_E') as tf.Tensor2D), [b, n, d]),
        tf.slice(P('pos_embed.W_pos'), [0, 0], [n, d]));
    const mask = c.mask === 'none' ? null : tf.tensor2d(maskData(c.mask, n), [n, n]);
    const patterns: tf.Tensor4D[] = [];
    for (let l = 0; l < c.nLayers; l++) {
        const pre = `blocks.${l}`;
        const hIn = c.layerNorm ? layerNorm(x, P(`${pre}.ln1.w`), P(`${pre}.ln1.b`)) : x;
        const flat = tf.reshape(hIn, [b * n, d]) as tf.Tensor2D;
        const proj = (which: string): tf.Tensor4D => {
            const wt = tf.reshape(tf.transpose(P(`${pre}.attn.W_${which}`), [1, 0, 2]), [d, h * dh]) as tf.Tensor2D;
            const y = tf.add(tf.reshape(tf.matMul(flat, wt), [b, n, h, dh]), P(`${pre}.attn.b_${which}`));
            return tf.transpose(y, [0, 2, 1, 3]) as tf.Tensor4D;
        };
        const q = proj('Q'), k = proj('K'), v = proj('V');
        let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
        if (mask !== null) scores = tf.add(scores, mask);
        const pattern = tf.softmax(scores) as tf.Tensor4D;
        patterns.push(pattern);
        const z = tf.matMul(pattern, v);
        const zFlat = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [b * n, h * dh]) as tf.Tensor2D;
        const attnOut = tf.add(tf.reshape(tf.matMul(zFlat, tf.reshape(P(`${pre}.attn.W_O`), [h * dh, d]) as tf.Tensor2D), [b, n, d]),
            P(`${pre}.attn.b_O`));
        x = tf.add(x, attnOut);
        if (c.dMlp !== null) {
            const m = c.layerNorm ? layerNorm(x, P(`${pre}.ln2.w`), P(`${pre}.ln2.b`)) : x;
            const hid = tf.relu(tf.add(tf.matMul(tf.reshape(m, [b * n, d]) as tf.Tensor2D, P(`${pre}.mlp.W_in`) as tf.Tensor2D), P(`${pre}.mlp.b_in`)));
            const out = tf.add(tf.matMul(hid, P(`${pre}.mlp.W_out`) as tf.Tensor2D), P(`${pre}.mlp.b_out`));
            x = tf.add(x, tf.reshape(out, [b, n, d]));
        }
    }
    if (c.layerNorm) x = layerNorm(x, P('ln_final.w'), P('ln_final.b'));
    const WU = P('unembed.W_U') as tf.Tensor2D;
    const logits = c.readout === 'first'
        ? tf.add(tf.matMul(tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, d]), [b, d]) as tf.Tensor2D, WU), P('unembed.b_U'))
        : tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * n, d]) as tf.Tensor2D, WU), P('unembed.b_U')), [b, n, c.nOut]);
    return { logits, patterns };
}

/** The additive attention mask [dst, src]: 0 where attention is allowed, MASKED elsewhere. */
export function maskData(mask: 'causal' | 'anticausal', n: number): Float32Array {
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (mask === 'causal' ? j > i : j < i) m[i * n + j] = MASKED;
    }
    return m;
}

/** Added to masked attention scores; large enough that softmax gives exactly 0. */
export const MASKED = -1e9;

/** Reads weights back from tfjs tensors. */
export async function readWeights(c: TransformerConfig, p: Map<string, tf.Tensor>): Promise<Weights> {
    const w: Weights = new Map();
    for (const s of paramSpecs(c)) w.set(s.name, new Float32Array(await p.get(s.name)!.data()));
    return w;
}
