// Seeded randomness. Every root owns its own stream, derived from (seed, root index, purpose), so
// a root's draws do not depend on which other roots run with it: chunking, batching and sharding
// leave every number unchanged.

/** SplitMix32-style finaliser: mixes a 32-bit value thoroughly (used to derive stream seeds). */
function mix32(x: number): number {
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    return (x ^ (x >>> 16)) >>> 0;
}

/** A small, fast PRNG (xoshiro128**) with 128 bits of state. */
export class Prng {
    private a: number;
    private b: number;
    private c: number;
    private d: number;

    constructor(...seedParts: number[]) {
        let h = 0x9e3779b9;
        for (const part of seedParts) h = mix32(h ^ mix32((part >>> 0) + Math.floor(part / 0x100000000)));
        this.a = mix32(h + 1);
        this.b = mix32(h + 2);
        this.c = mix32(h + 3);
        this.d = mix32(h + 4) | 1;
    }

    /** A generator at the same point of the same stream (cheaper than seeding a new one). */
    copy(): Prng {
        const p = Object.create(Prng.prototype) as Prng;
        p.a = this.a;
        p.b = this.b;
        p.c = this.c;
        p.d = this.d;
        return p;
    }

    /** Uniform 32-bit unsigned integer. */
    nextUint32(): number {
        const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
        const t = this.b << 9;
        this.c ^= this.a;
        this.d ^= this.b;
        this.b ^= this.c;
        this.a ^= this.d;
        this.c ^= t;
        this.d = rotl(this.d, 11);
        return r;
    }

    /** Uniform float in [0, 1) with 53 bits of randomness. */
    nextFloat(): number {
        const hi = this.nextUint32() >>> 5;
        const lo = this.nextUint32() >>> 6;
        return (hi * 67108864 + lo) / 9007199254740992;
    }

    /**
     * Uniform integer in [0, n), exactly unbiased: Lemire's multiply-and-reject, one 32-bit draw in
     * almost every call (the product stays exact in a double for n < 2^21); above that, a 53-bit
     * float, whose flooring bias is below 2^-30 for any dataset size.
     */
    nextInt(n: number): number {
        if (!(n > 0)) throw new RangeError(`nextInt(${n})`);
        if (n < 2097152) {
            let m = this.nextUint32() * n;
            let low = m % 4294967296;
            if (low < n) {
                const threshold = (4294967296 - n) % n;
                while (low < threshold) {
                    m = this.nextUint32() * n;
                    low = m % 4294967296;
                }
            }
            return Math.floor(m / 4294967296);
        }
        return Math.floor(this.nextFloat() * n);
    }
}

function rotl(x: number, k: number): number {
    return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Stream purposes: a root's scrub draws (the random baseline's draw is the first of them), root order, bootstrap. */
export const Stream = {
    scrub: 1,
    roots: 3,
    bootstrap: 4,
} as const;

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Prng): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    return p;
}
