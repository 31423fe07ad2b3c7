// How much a refinement lowers loss recovered, compared root by root. A hypothesis and its
// refinement are scrubbed on the same roots with the same seed: their clean values and random
// baselines are the same numbers, so the difference of their loss recovered is
// (E_scrubbed' − E_scrubbed) / (E_random − E_clean) and its noise is the roots' paired differences,
// much smaller than either CI. Its standard error is a paired bootstrap over roots (seeded).
import { Prng, Stream } from '../util/prng.js';

export interface PerRoot {
    clean: readonly number[];
    scrubbed: readonly number[];
    random: readonly number[];
}

export interface PairedDrop {
    /** Loss recovered of the first minus the second. */
    drop: number;
    /** Standard error of the drop over roots (bootstrap). */
    se: number;
}

const RESAMPLES = 1000;

/** The drop from `a` to `b` (same roots and seed) with its bootstrap standard error. */
export function pairedDrop(a: PerRoot, b: PerRoot, seed: number): PairedDrop {
    const n = sameRoots(a, b);
    const { value, se } = pairedBootstrap(n, seed, idx => {
        let sa = 0, sb = 0, r = 0, c = 0;
        for (let i = 0; i < n; i++) {
            const j = idx(i);
            sa += a.scrubbed[j];
            sb += b.scrubbed[j];
            r += a.random[j];
            c += a.clean[j];
        }
        // LR_a − LR_b = ((R − S_a) − (R − S_b)) / (R − C); values as the result shows them (scores
        // not negated into losses) give the same ratio.
        return (sb - sa) / (r - c);
    });
    return { drop: value, se };
}

/**
 * How much worse `b` behaves than `a` (same roots and seed), in the metric's own units: the mean
 * of b's scrubbed values minus a's, signed so that a move from the clean value towards the random
 * baseline is positive (a loss that rises, an accuracy that falls). This is ACDC's per-edge
 * criterion, on causal scrubbing's scrubbed model. When the baseline equals the clean value the
 * direction is unknown and the size of the change is used.
 */
export function pairedWorsening(a: PerRoot, b: PerRoot, seed: number): { worsening: number; se: number } {
    const n = sameRoots(a, b);
    let r = 0, c = 0;
    for (let i = 0; i < n; i++) {
        r += a.random[i];
        c += a.clean[i];
    }
    const direction = Math.sign(r - c);
    const { value, se } = pairedBootstrap(n, seed, idx => {
        let d = 0;
        for (let i = 0; i < n; i++) {
            const j = idx(i);
            d += b.scrubbed[j] - a.scrubbed[j];
        }
        return direction === 0 ? Math.abs(d / n) : direction * d / n;
    });
    return { worsening: value, se };
}

function sameRoots(a: PerRoot, b: PerRoot): number {
    const n = a.scrubbed.length;
    if (b.scrubbed.length !== n) throw new Error('paired scrubs must have the same roots');
    return n;
}

/** A statistic of the roots, `at(identity)`, with its standard error over bootstrap resamples of the roots. */
function pairedBootstrap(n: number, seed: number, at: (idx: (i: number) => number) => number): { value: number; se: number } {
    const value = at(i => i);
    const rng = new Prng(seed, Stream.bootstrap, 0x5eed);
    let sum = 0, sum2 = 0, used = 0;
    for (let k = 0; k < RESAMPLES; k++) {
        const d = at(() => rng.nextInt(n));
        if (!Number.isFinite(d)) continue;
        sum += d; sum2 += d * d; used++;
    }
    const mean = sum / Math.max(1, used);
    return { value, se: Math.sqrt(Math.max(0, sum2 / Math.max(1, used) - mean * mean)) };
}

/** The one-sided normal quantile for probability p (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
    const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239];
    const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    const lo = 0.02425;
    if (p < lo) {
        const q = Math.sqrt(-2 * Math.log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - lo) return -normalQuantile(1 - p);
    const q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
