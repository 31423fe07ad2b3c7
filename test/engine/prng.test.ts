import { describe, expect, it } from 'vitest';
import { Prng, permutation } from '../../engine/util/prng.js';

describe('seeded randomness', () => {
    it('repeats exactly for the same seed parts and differs for others', () => {
        const draw = (...seed: number[]) => { const r = new Prng(...seed); return Array.from({ length: 5 }, () => r.nextUint32()); };
        expect(draw(1, 2, 3)).toEqual(draw(1, 2, 3));
        expect(draw(1, 2, 3)).not.toEqual(draw(1, 2, 4));
        expect(draw(1, 2)).not.toEqual(draw(2, 1));
    });

    it('draws integers uniformly (chi-square over 7 and over 1000 values)', () => {
        for (const n of [7, 1000]) {
            const rng = new Prng(42, n);
            const draws = 200 * n;
            const counts = new Array<number>(n).fill(0);
            for (let i = 0; i < draws; i++) counts[rng.nextInt(n)]++;
            const expected = draws / n;
            const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
            // Mean n − 1, standard deviation √(2(n − 1)): five deviations is far out in the tail.
            expect(chi2).toBeLessThan(n - 1 + 5 * Math.sqrt(2 * (n - 1)));
            expect(Math.min(...counts)).toBeGreaterThan(0);
        }
    });

    it('covers large ranges through the float path', () => {
        const rng = new Prng(3);
        const n = 3_000_000;
        const draws = Array.from({ length: 1000 }, () => rng.nextInt(n));
        expect(draws.every(d => Number.isInteger(d) && d >= 0 && d < n)).toBe(true);
        expect(Math.max(...draws)).toBeGreaterThan(n * 0.9);
    });

    it('permutes every index exactly once', () => {
        const p = permutation(1000, new Prng(5));
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        expect([...p.slice(0, 10)]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
});
