// Normalisation and confidence intervals (DESIGN.md §2.4). Per-root losses are kept, so the
// bootstrap resamples roots with their clean, scrubbed and random values together (paired): the
// resampling randomness of each root's draws is inside its scrubbed value.
import { Prng, Stream } from '../util/prng.js';

export interface LossRecovered {
    lossRecovered: number;
    ci95: [number, number];
    clean: number;
    scrubbed: number;
    random: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

/** `(E_random − E_scrubbed) / (E_random − E_clean)` with a paired percentile-bootstrap 95% CI. */
export function lossRecovered(clean: Float64Array, scrubbed: Float64Array, random: Float64Array, seed: number): LossRecovered {
    const n = clean.length;
    const point = ratio(mean(clean), mean(scrubbed), mean(random));
    const rng = new Prng(seed, Stream.bootstrap);
    const stats = new Float64Array(BOOTSTRAP_RESAMPLES);
    // The hot loop of a scrub's statistics (resamples × roots draws): an inlined xorshift128 and a
    // multiply-shift index keep it a few nanoseconds per draw. The index's bias (below n / 2^32)
    // is far under the bootstrap's own Monte Carlo error.
    let a = rng.nextUint32() | 1, b = rng.nextUint32(), c = rng.nextUint32(), d = rng.nextUint32();
    for (let k = 0; k < BOOTSTRAP_RESAMPLES; k++) {
        let sc = 0, ss = 0, sr = 0;
        for (let i = 0; i < n; i++) {
            let t = a ^ (a << 11);
            a = b; b = c; c = d;
            d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
            const j = Math.floor((d * n) / 4294967296);
            sc += clean[j];
            ss += scrubbed[j];
            sr += random[j];
        }
        stats[k] = ratio(sc, ss, sr);
    }
    return {
        lossRecovered: point,
        ci95: [quantile(stats, 0.025), quantile(stats, 0.975)],
        clean: mean(clean),
        scrubbed: mean(scrubbed),
        random: mean(random),
    };
}

function ratio(clean: number, scrubbed: number, random: number): number {
    return (random - scrubbed) / (random - clean);
}

export function mean(v: Float64Array): number {
    let s = 0;
    for (const x of v) s += x;
    return s / v.length;
}

/**
 * Linear-interpolated quantile over the resamples where loss recovered is defined. A resample
 * whose random baseline equals its clean value and its scrubbed value (0 / 0) has none and is left
 * out; one whose baseline equals the clean value while the scrub differs is ±∞ and kept, so the CI
 * says it is unbounded (percent.ts prints ∞). Both happen only on a few roots.
 */
function quantile(values: Float64Array, q: number): number {
    const sorted = Float64Array.from(values.filter(v => !Number.isNaN(v))).sort();
    if (sorted.length === 0) return NaN;
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    // Between a bound and an unbounded neighbour the quantile is unbounded (interpolating would give NaN).
    if (!Number.isFinite(sorted[lo]) || !Number.isFinite(sorted[hi])) return pos === lo ? sorted[lo] : !Number.isFinite(sorted[lo]) ? sorted[lo] : sorted[hi];
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
