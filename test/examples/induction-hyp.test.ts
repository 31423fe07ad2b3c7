// examples/induction/induction.hyp checks clean, and a cheap scrub of its naive hypothesis gives a
// sane loss recovered (the full file's numbers are in examples/RESULTS.md and the README).
import { describe, expect, it } from 'vitest';
import type { ScrubResult } from '../../engine/result.js';
import { hyp } from '../fixtures/cli.js';

const INDUCTION = 'examples/induction/induction.hyp';


describe('examples/induction/induction.hyp', () => {
    it('passes hyp check with no diagnostics at all', async () => {
        const { stdout, stderr } = await hyp('check', INDUCTION);
        expect(stdout.trim()).toBe('');
        // The plan of each hypothesis, then the summary.
        expect(stderr.trim().split('\n').at(-1)).toBe(`${INDUCTION}: 4 hypotheses, 0 errors, 0 warnings`);
    }, 30_000);

    it('scrubs the naive hypothesis to a sane loss recovered', async () => {
        const { stdout } = await hyp('scrub', INDUCTION, '--hypothesis', 'naive', '--samples', '150', '--seed', '7', '--json');
        const [r] = (JSON.parse(stdout) as { results: ScrubResult[] }).results;
        expect(r.hypothesis).toBe('naive');
        expect(r.samples).toBe(150);
        expect(r.seed).toBe(7);
        // The model predicts the induction token well (dataset loss ~1 nat); a random other
        // sequence is far off (a uniform guess is 5.7 nats).
        expect(r.clean).toBeLessThan(1.5);
        expect(r.random).toBeGreaterThan(5);
        expect(r.scrubbed).toBeGreaterThan(r.clean);
        expect(r.scrubbed).toBeLessThan(r.random);
        // Full file (1,500 roots): 92.8%. Between the clean model and the baseline, with room for noise.
        expect(r.lossRecovered).toBeGreaterThan(0.75);
        expect(r.lossRecovered).toBeLessThan(1);
        expect(r.ci95[0]).toBeLessThanOrEqual(r.lossRecovered);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(r.lossRecovered);
    }, 60_000);
});
