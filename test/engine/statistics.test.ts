import { describe, expect, it } from 'vitest';
import { behaviourLoss, resolvePosition } from '../../engine/score/behaviours.js';
import { lossRecovered } from '../../engine/score/statistics.js';
import { jsonNumber, percentDigits, percentText } from '../../engine/score/percent.js';
import { Prng } from '../../engine/util/prng.js';

function series(n: number, f: (i: number) => number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => f(i));
}

describe('loss recovered', () => {
    it('is exactly 1 with a degenerate CI when the scrubbed loss equals the clean loss on every root', () => {
        const clean = series(500, i => 0.1 + (i % 7) / 100);
        const random = series(500, i => 0.9 + (i % 5) / 10);
        const r = lossRecovered(clean, clean, random, 3);
        expect(r.lossRecovered).toBe(1);
        expect(r.ci95).toEqual([1, 1]);
    });

    it('has a CI around 0 when the scrubbed losses are another draw of the random baseline', () => {
        const rng = new Prng(1);
        const clean = series(2000, () => 0.05 * rng.nextFloat());
        const random = series(2000, () => 2 * rng.nextFloat());
        const scrubbed = series(2000, () => 2 * rng.nextFloat());
        const r = lossRecovered(clean, scrubbed, random, 3);
        expect(r.ci95[0]).toBeLessThan(0);
        expect(r.ci95[1]).toBeGreaterThan(0);
        expect(r.ci95[1] - r.ci95[0]).toBeLessThan(0.2);
    });

    it('is the ratio of mean gaps, and the same seed gives the same CI', () => {
        const clean = series(100, () => 1);
        const scrubbed = series(100, i => (i % 2 === 0 ? 2 : 4));
        const random = series(100, () => 5);
        const a = lossRecovered(clean, scrubbed, random, 9);
        expect(a.lossRecovered).toBeCloseTo((5 - 3) / (5 - 1), 12);
        expect(lossRecovered(clean, scrubbed, random, 9)).toEqual(a);
        expect(a.ci95[0]).toBeLessThan(0.5);
        expect(a.ci95[1]).toBeGreaterThan(0.5);
    });
});

describe('behaviours', () => {
    const out = { data: Float32Array.of(2, 0, 0, 2), offset: 0, dims: [2] };
    const clean = out;
    it('cross entropy is −log softmax of the label', () => {
        expect(behaviourLoss({ kind: 'cross_entropy' }, out, { label: 0, position: undefined, clean })).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
        expect(behaviourLoss({ kind: 'cross_entropy' }, { ...out, offset: 2 }, { label: 0, position: undefined, clean })).toBeCloseTo(Math.log(1 + Math.exp(2)), 6);
    });
    it('accuracy and logit difference are scores, negated into losses', () => {
        expect(behaviourLoss({ kind: 'accuracy' }, out, { label: 0, position: undefined, clean })).toBe(-1);
        expect(behaviourLoss({ kind: 'accuracy' }, out, { label: 1, position: undefined, clean })).toBe(0);
        expect(behaviourLoss({ kind: 'logit_diff', a: 0, b: 1 }, out, { label: undefined, position: undefined, clean })).toBe(-2);
    });
    it('logit difference without classes is the label\'s logit minus the largest other one', () => {
        const three = { data: Float32Array.of(1, 4, 2.5), offset: 0, dims: [3] };
        expect(behaviourLoss({ kind: 'logit_diff_label' }, three, { label: 1, position: undefined, clean: three })).toBe(-1.5);
        expect(behaviourLoss({ kind: 'logit_diff_label' }, three, { label: 2, position: undefined, clean: three })).toBe(1.5);
        expect(behaviourLoss({ kind: 'logit_diff_label' }, three, { label: 0, position: undefined, clean: three })).toBe(3);
        expect(() => behaviourLoss({ kind: 'logit_diff_label' }, three, { label: undefined, position: undefined, clean: three })).toThrow();
    });
    it('kl is zero against itself and positive against another output', () => {
        expect(behaviourLoss({ kind: 'kl' }, out, { label: undefined, position: undefined, clean })).toBeCloseTo(0, 12);
        expect(behaviourLoss({ kind: 'kl' }, { ...out, offset: 2 }, { label: undefined, position: undefined, clean })).toBeGreaterThan(1);
    });
    it('reads the selected position of a sequence output', () => {
        const seq = { data: Float32Array.of(0, 0, 5, 0, 0, 5), offset: 0, dims: [3, 2] };
        expect(resolvePosition({ kind: 'index', index: -1 }, seq.dims, {})).toBe(2);
        expect(resolvePosition({ kind: 'field', field: 'p' }, seq.dims, { p: 1 })).toBe(1);
        expect(behaviourLoss({ kind: 'accuracy' }, seq, { label: 1, position: 2, clean: seq })).toBe(-1);
        expect(behaviourLoss({ kind: 'accuracy' }, seq, { label: 1, position: 1, clean: seq })).toBe(0);
        expect(() => resolvePosition({ kind: 'index', index: 3 }, seq.dims, {})).toThrow(/outside/);
    });

    it('on a few roots, leaves out resamples where it is 0 / 0 and says an end is unbounded (±∞), never NaN', () => {
        // The baseline differs from the clean value on root 0 only: a resample without root 0 has a
        // zero denominator, and a scrub that moved root 1 makes it −∞ there.
        const clean = series(8, () => 0);
        const random = series(8, i => (i === 0 ? 1 : 0));
        const scrubbed = series(8, i => (i === 0 ? 0.5 : i === 1 ? 0.2 : 0));
        const r = lossRecovered(clean, scrubbed, random, 5);
        expect(r.lossRecovered).toBeCloseTo((1 - 0.7) / 1, 12);
        expect(r.ci95[0]).toBe(-Infinity);
        expect(Number.isFinite(r.ci95[1])).toBe(true);
        // Scrubbed equal to clean on every root: 1 wherever defined, so the CI is [1, 1].
        const exact = lossRecovered(clean, clean, random, 5);
        expect(exact.ci95).toEqual([1, 1]);
    });
});

describe('percentages as every output prints them', () => {
    it('one decimal, ∞ for an unbounded end, undefined for NaN; JSON gets strings for ±∞', () => {
        expect(percentDigits(0.8734)).toBe('87.3');
        expect(percentDigits(-Infinity)).toBe('−∞');
        expect(percentText(Infinity)).toBe('∞%');
        expect(percentText(NaN)).toBe('undefined');
        expect([jsonNumber(-Infinity), jsonNumber(Infinity), jsonNumber(NaN), jsonNumber(0.5)]).toEqual(['-Infinity', 'Infinity', null, 0.5]);
    });
});
