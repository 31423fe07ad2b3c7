// The paired comparisons the searches decide with, on numbers worked by hand: the drop of loss
// recovered and the worsening in the metric's units, signed by which way the random baseline lies.
import { describe, expect, it } from 'vitest';
import { pairedDrop, pairedWorsening } from '../../../engine/explore/paired.js';

describe('paired comparisons', () => {
    const clean = [0, 0, 0, 0];
    it('a loss that rises by 1 on every root is a worsening of +1 with no spread', () => {
        const random = [4, 4, 4, 4];
        const a = { clean, random, scrubbed: [1, 2, 1, 2] };
        const b = { clean, random, scrubbed: [2, 3, 2, 3] };
        expect(pairedWorsening(a, b, 7)).toEqual({ worsening: 1, se: 0 });
        // Loss recovered goes from (4 − 1.5)/4 to (4 − 2.5)/4: a drop of 0.25.
        expect(pairedDrop(a, b, 7)).toEqual({ drop: 0.25, se: 0 });
        expect(pairedWorsening(b, a, 7).worsening).toBe(-1);
    });

    it('for a score (the baseline below the clean value) a fall is the worsening', () => {
        const high = [1, 1, 1, 1], random = [0.5, 0.5, 0.5, 0.5];
        const a = { clean: high, random, scrubbed: [0.9, 0.9, 0.9, 0.9] };
        const b = { clean: high, random, scrubbed: [0.7, 0.8, 0.7, 0.8] };
        const w = pairedWorsening(a, b, 1);
        expect(w.worsening).toBeCloseTo(0.15, 12);
        expect(w.se).toBeGreaterThan(0);
        expect(w.se).toBeLessThan(0.05);
    });

    it('with the baseline at the clean value, the size of the change', () => {
        const a = { clean, random: clean, scrubbed: [0, 0, 0, 0] };
        const b = { clean, random: clean, scrubbed: [-1, -1, -1, -1] };
        expect(pairedWorsening(a, b, 3).worsening).toBe(1);
    });

    it('refuses scrubs of different roots', () => {
        expect(() => pairedWorsening({ clean, random: clean, scrubbed: [0] }, { clean, random: clean, scrubbed: [0, 1] }, 0)).toThrow(/same roots/);
    });
});
