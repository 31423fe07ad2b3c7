// The check every run's outputs go through (engine/execute/typed-arrays.ts, used by model-runner.ts): a non-finite value at
// any position, in any of its four sums or in the tail after them, is found.
import { describe, expect, it } from 'vitest';
import { allFinite } from '../../engine/execute/typed-arrays.js';

describe('allFinite', () => {
    it.each([Float32Array, Float64Array])('finds NaN and ±Infinity at every position (%o)', Kind => {
        for (const n of [0, 1, 3, 4, 5, 8, 11]) {
            expect(allFinite(new Kind(n).fill(1.5))).toBe(true);
            for (let i = 0; i < n; i++) {
                for (const bad of [NaN, Infinity, -Infinity]) {
                    const data = new Kind(n).fill(-2);
                    data[i] = bad;
                    expect(allFinite(data)).toBe(false);
                }
            }
        }
    });

    it('takes the largest finite values as finite', () => {
        expect(allFinite(Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, 0, -0))).toBe(true);
        expect(allFinite(Float64Array.of(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE))).toBe(true);
    });
});
