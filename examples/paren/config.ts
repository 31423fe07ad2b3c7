// The paren classifier's shape (shared by the builder and the tests).
import type { TransformerConfig } from './lib/transformer.js';
import { N_CTX, VOCAB } from './data.js';

export const PAREN_CONFIG: TransformerConfig = {
    vocab: VOCAB.length,
    nCtx: N_CTX,
    dModel: 56,
    nLayers: 3,
    nHeads: 2,
    dHead: 28,
    dMlp: 112,
    layerNorm: true,
    mask: 'anticausal',
    nOut: 2,
    readout: 'first',
    zTermsLayers: [],
};
