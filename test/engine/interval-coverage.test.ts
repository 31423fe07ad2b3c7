// The 95% CI of loss recovered is a 95% interval: over many replicate runs whose per-root values
// are drawn from a distribution with a known loss recovered, it covers that value 93–97% of the
// time. A 90% interval (quantiles 0.05 and 0.95) labelled 95% covers about 90% and fails here; so
// does a 99% one. The replicate values come from this file's own generator (mulberry32), not the
// engine's. The end-to-end coverage of whole scrubs is measured by bench/ci-coverage.ts.
import { describe, expect, it } from 'vitest';
import { lossRecovered } from '../../engine/score/statistics.js';

/** mulberry32: a generator unrelated to the engine's xoshiro128**. */
function mulberry32(seed: number): () => number {
    let a = seed | 0;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const REPLICATES = 1000;
const ROOTS = 150;

/**
 * Coverage of the known value over replicate runs. Per root: clean loss 0; the scrubbed and the
 * random-baseline outputs are wrong (loss 1) with probabilities ps and pr. `paired`: both read one
 * uniform number (common random numbers, as the engine's baseline does), else two.
 * Known loss recovered: (pr − ps) / (pr − 0) = 1 − ps / pr.
 */
function coverage(ps: number, pr: number, paired: boolean): number {
    const truth = 1 - ps / pr;
    let covered = 0;
    for (let k = 0; k < REPLICATES; k++) {
        const rnd = mulberry32(7919 * k + 17);
        const clean = new Float64Array(ROOTS), scrubbed = new Float64Array(ROOTS), random = new Float64Array(ROOTS);
        for (let i = 0; i < ROOTS; i++) {
            const u = rnd();
            scrubbed[i] = u < ps ? 1 : 0;
            random[i] = (paired ? u : rnd()) < pr ? 1 : 0;
        }
        const { ci95 } = lossRecovered(clean, scrubbed, random, k);
        if (ci95[0] <= truth && truth <= ci95[1]) covered++;
    }
    return covered / REPLICATES;
}

describe('the 95% confidence interval of loss recovered', () => {
    // Binomial standard error of a 95% coverage over 1,000 replicates: 0.69 points, so 93–97% is
    // ±2.9σ; a 90% interval sits 3.2σ (of its own 0.95 points) below 93%. Measured: 95.9% and 95.5%
    // here; 91.4% and 89.6% with the quantiles changed to 0.05 and 0.95. (With 80 roots the
    // percentile bootstrap of this ratio under-covered, 93.8%: 150 roots are near its asymptote.)
    it('covers a known value 93–97% of the time with common random numbers (loss recovered ½)', () => {
        const c = coverage(0.3, 0.6, true);
        expect(c).toBeGreaterThanOrEqual(0.93);
        expect(c).toBeLessThanOrEqual(0.97);
    });

    it('covers a known value 93–97% of the time with independent draws (loss recovered 0.2)', () => {
        const c = coverage(0.4, 0.5, false);
        expect(c).toBeGreaterThanOrEqual(0.93);
        expect(c).toBeLessThanOrEqual(0.97);
    });
});
