// The 95% CI of loss recovered is a 95% interval: over many replicate runs whose per-root values
// are drawn from a distribution with a known loss recovered, it covers that value 93–97% of the
// time. A 90% interval (quantiles 0.05 and 0.95) labelled 95% covers about 90% and fails here; so
// does a 99% one. The replicate values come from this file's own generator (mulberry32), not the
// engine's. End to end, whole scrubs of the toy are checked on fewer seeds with a wider tolerance
// here, and measured on 2,000 seeds by bench/ci-coverage.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { lossRecovered } from '../../engine/score/statistics.js';
import { onlyA, spec } from '../fixtures/toy-spec.js';
import { mulberry32 } from '../reference/random-case.js';

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

    it('of whole toy scrubs covers the value derived from the dataset on 91.5–98.5% of 400 seeds', async () => {
        // only_a's known loss recovered (derived in test/examples/paren-hyp.test.ts and
        // bench/ci-coverage.ts): 1 − P_s / P_r over the toy dataset. 400 seeds × 200 roots: binomial
        // σ 1.1 points, so ±3.2σ around 95%. Measured 94.0% (bench, 2,000 seeds: 95.1%; with 90%
        // quantiles 89.5%).
        const rows = readFileSync(spec.dataset.path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { z: number[]; y: number });
        const share = (f: (r: { z: number[]; y: number }) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
        const pb = share(r => Number(r.z[1] > 3)), py = share(r => r.y);
        const known = 1 - share(r => (r.z[0] <= 3 ? (r.z[1] > 3 ? 1 - pb : pb) : 0)) / share(r => (r.y === 1 ? 1 - py : py));
        const prepared = await prepareScrub(spec, { ep: 'cpu', threads: 1 });
        let covered = 0;
        try {
            for (let seed = 1; seed <= 400; seed++) {
                const { ci95 } = await scrubHypothesis(prepared, onlyA, { samples: 200, seed });
                if (ci95[0] <= known && known <= ci95[1]) covered++;
            }
        } finally {
            await prepared.dispose();
        }
        expect(covered / 400).toBeGreaterThanOrEqual(0.915);
        expect(covered / 400).toBeLessThanOrEqual(0.985);
    }, 60_000);
});
