// The induction model's shape (shared by the builder and the tests).
import type { TransformerConfig } from '../paren/lib/transformer.js';
import { N_CTX, VOCAB_SIZE } from './language.js';

export const INDUCTION_CONFIG: TransformerConfig = {
    vocab: VOCAB_SIZE,
    nCtx: N_CTX,
    dModel: 64,
    nLayers: 2,
    nHeads: 4,
    dHead: 16,
    dMlp: null,
    layerNorm: false,
    mask: 'causal',
    nOut: VOCAB_SIZE,
    readout: 'all',
    // Layer 0's output per source position: "the previous-token head's attention to the previous
    // token" is a (dst, src) predicate on it.
    zTermsLayers: [0],
    sinusoidalPosInit: true,
};
