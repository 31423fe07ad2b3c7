// A seeded PRNG (mulberry32) for the example builders: data, initialisation and batching all draw
// from it, so a builder run with the same seed writes the same files.

/** A uniform generator in [0, 1) with its own state. */
export type Rng = () => number;

/** mulberry32: small, fast and good enough for data generation and weight initialisation. */
export function makeRng(seed: number): Rng {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** An integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
    return Math.floor(rng() * n);
}

/** A standard normal draw (Box–Muller). */
export function randNormal(rng: Rng): number {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(rng: Rng, xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
        const j = randInt(rng, i + 1);
        [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
}
