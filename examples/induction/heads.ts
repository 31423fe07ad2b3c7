// Attention scores that name the previous-token and induction heads (used by the builder to pick
// them and by the tests to check the names the README documents).
import { PERIOD } from './language.js';

/** Per-head scores from patterns [batch, head, dst, src] flattened, n positions. */
export function headScores(pattern: ArrayLike<number>, batch: number, heads: number, n: number): { prevToken: number[]; induction: number[] } {
    const prevToken = new Array<number>(heads).fill(0);
    const induction = new Array<number>(heads).fill(0);
    for (let b = 0; b < batch; b++) {
        for (let h = 0; h < heads; h++) {
            const base = (b * heads + h) * n * n;
            // Mean attention to the previous position (dst >= 1).
            for (let dst = 1; dst < n; dst++) prevToken[h] += pattern[base + dst * n + dst - 1] / ((n - 1) * batch);
            // On repeated random sequences, mean attention from a repeat to the token after its
            // previous occurrence (dst - PERIOD + 1).
            for (let dst = PERIOD + 1; dst < n; dst++) induction[h] += pattern[base + dst * n + dst - PERIOD + 1] / ((n - PERIOD - 1) * batch);
        }
    }
    return { prevToken, induction };
}

/** Mean next-token loss on repeated random sequences, first copy vs repeat, from logits [b, n, v]. */
export function halfLosses(logits: ArrayLike<number>, tokens: readonly (readonly number[])[], vocab: number): { firstHalf: number; secondHalf: number } {
    const n = tokens[0].length;
    let first = 0, firstN = 0, second = 0, secondN = 0;
    tokens.forEach((seq, b) => {
        // Position p predicts seq[p + 1]; from BOS nothing is predictable, so start at p = 1.
        for (let p = 1; p < n - 1; p++) {
            const off = (b * n + p) * vocab;
            let max = -Infinity;
            for (let v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
            let sum = 0;
            for (let v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
            const loss = Math.log(sum) + max - logits[off + seq[p + 1]];
            if (p + 1 <= PERIOD) { first += loss; firstN++; } else { second += loss; secondN++; }
        }
    });
    return { firstHalf: first / firstN, secondHalf: second / secondN };
}
