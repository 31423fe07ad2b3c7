// The synthetic language the induction model learns: a sparse random chain over 299 tokens (each
// word depends on the last word or the one before it)
// in which earlier segments of the sequence are repeated at random points (so copying what followed
// the previous occurrence of the current token pays), plus repeated random sequences.
import { makeRng, randInt, type Rng } from '../paren/lib/rng.js';

export const VOCAB_SIZE = 300;
/** Token 0 begins every sequence; 1..299 are words. */
export const BOS = 0;
export const N_CTX = 64;
/** Evaluation sequences: BOS, 32 random words, then the same words again (cut at N_CTX). */
export const PERIOD = 32;

const SUCCESSORS = 6;
const LANGUAGE_SEED = 7;

/** Each word's likely successors, and likely words two steps later (fixed by LANGUAGE_SEED). */
const [successors, skipSuccessors]: number[][][] = (() => {
    const rng = makeRng(LANGUAGE_SEED);
    const table = (): number[][] => Array.from({ length: VOCAB_SIZE }, () => Array.from({ length: SUCCESSORS }, () => 1 + randInt(rng, VOCAB_SIZE - 1)));
    return [table(), table()];
})();
const ZIPF = Array.from({ length: SUCCESSORS }, (_, i) => 1 / (i + 1));
const ZIPF_SUM = ZIPF.reduce((a, b) => a + b, 0);

function zipfPick(rng: Rng, options: readonly number[]): number {
    let u = rng() * ZIPF_SUM;
    for (let i = 0; i < SUCCESSORS; i++) {
        u -= ZIPF[i];
        if (u <= 0) return options[i];
    }
    return options[SUCCESSORS - 1];
}

function nextWord(rng: Rng, prev2: number, prev: number): number {
    // 10% of words ignore the chain, so no position is fully predictable from its context alone.
    // The word two back matters as much as the last one: that makes a previous-token head useful
    // on its own, early in training, and induction heads build on it.
    const u = rng();
    if (prev === BOS || u < 0.1) return 1 + randInt(rng, VOCAB_SIZE - 1);
    if (prev2 === BOS || u < 0.55) return zipfPick(rng, successors[prev]);
    return zipfPick(rng, skipSuccessors[prev2]);
}

/** A sequence of N_CTX tokens of the language with repeated segments. */
export function languageSequence(rng: Rng): number[] {
    const t = [BOS];
    while (t.length < N_CTX) {
        if (t.length >= 6 && rng() < 0.12) {
            // Repeat a segment of 4–12 words that started earlier.
            const from = 1 + randInt(rng, t.length - 3);
            const len = 4 + randInt(rng, 9);
            for (let k = 0; k < len && t.length < N_CTX; k++) t.push(t[from + k]);
        } else {
            t.push(nextWord(rng, t[t.length - 2] ?? BOS, t[t.length - 1]));
        }
    }
    return t;
}

/** BOS, PERIOD uniformly random words, then the same words again up to N_CTX tokens. */
export function repeatedRandomSequence(rng: Rng): number[] {
    const words = Array.from({ length: PERIOD }, () => 1 + randInt(rng, VOCAB_SIZE - 1));
    const t = [BOS, ...words];
    while (t.length < N_CTX) t.push(t[t.length - PERIOD]);
    return t;
}

/**
 * BOS, a random number of words of the language, then a segment of 8–31 uniformly random words
 * repeated until N_CTX. The period varies, so no fixed positional offset predicts the repeat: only
 * looking up what followed the current token's previous occurrence does.
 */
export function trainingRepeat(rng: Rng): number[] {
    const t = languageSequence(rng).slice(0, 1 + randInt(rng, 16));
    const period = 8 + randInt(rng, 24);
    for (let k = 0; k < period && t.length < N_CTX; k++) t.push(1 + randInt(rng, VOCAB_SIZE - 1));
    while (t.length < N_CTX) t.push(t[t.length - period]);
    return t;
}

/** A training sequence: half repeated random segments, half the language. */
export function trainingSequence(rng: Rng): number[] {
    return rng() < 0.5 ? trainingRepeat(rng) : languageSequence(rng);
}

/** Positions p < N_CTX - 1 where tokens[p] occurred earlier and was followed there by tokens[p + 1]. */
export function inductionPositions(tokens: readonly number[]): number[] {
    const out: number[] = [];
    for (let p = 1; p < tokens.length - 1; p++) {
        for (let j = 0; j < p; j++) {
            if (tokens[j] === tokens[p] && tokens[j + 1] === tokens[p + 1]) {
                out.push(p);
                break;
            }
        }
    }
    return out;
}
