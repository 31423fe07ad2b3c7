// examples/paren/paren.hyp checks clean and scrubs to sane values, and examples/RESULTS.md is what
// scripts/results.mjs renders from the committed examples/results.json (which holds the CLI's own
// output for each file's documented samples and seed).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScrubResult } from '../../engine/result.js';
import { hyp } from '../fixtures/cli.js';
import { EXAMPLES, RESULTS_JSON, RESULTS_MD, renderResults, type StoredResults } from '../../scripts/results.mjs';

const root = join(import.meta.dirname, '../..');
const PAREN = 'examples/paren/paren.hyp';


/** The names of the hypotheses a .hyp file declares, in order. */
const hypothesesOf = (file: string): string[] =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/^hypothesis\s+(\w+)/gm)].map(m => m[1]);
/** Whether git tracks the file. */
const tracked = (file: string): boolean => {
    try {
        execFileSync('git', ['ls-files', '--error-unmatch', file], { cwd: root, stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
};
/** A top-level option of a .hyp file. */
const optionOf = (file: string, name: string): number => Number(readFileSync(join(root, file), 'utf8').match(new RegExp(`^${name}\\s+(\\d+)`, 'm'))![1]);

describe('examples/paren/paren.hyp', () => {
    it('passes hyp check with no diagnostics: the numeric pass tests every claimed edge within its default bounds', async () => {
        const { stdout, stderr } = await hyp('check', PAREN);
        // Its claims span 53 parent parts (42 positions of A1 among them): no numeric-pass-skipped (docs/design.md, numeric pass).
        expect(stdout.trim()).toBe('');
        // The plan of each hypothesis, then the summary.
        expect(stderr.trim().split('\n').at(-1)).toBe(`${PAREN}: 7 hypotheses, 0 errors, 0 warnings`);
    }, 30_000);

    it('scrubs a cheap hypothesis to a sane loss recovered', async () => {
        const { stdout } = await hyp('scrub', PAREN, '--hypothesis', 'claim1_start', '--samples', '200', '--seed', '7', '--json');
        const [r] = (JSON.parse(stdout) as { results: ScrubResult[] }).results;
        expect(r.hypothesis).toBe('claim1_start');
        expect(r.samples).toBe(200);
        // The model is near perfect and the random baseline far off; a high-level claim explains most of it.
        expect(r.clean).toBeLessThan(0.05);
        expect(r.random).toBeGreaterThan(3);
        expect(r.lossRecovered).toBeGreaterThan(0.7);
        expect(r.lossRecovered).toBeLessThan(1);
        expect(r.ci95[0]).toBeLessThanOrEqual(r.lossRecovered);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(r.lossRecovered);
    }, 60_000);
});

describe('examples/RESULTS.md', () => {
    const stored = JSON.parse(readFileSync(join(root, RESULTS_JSON), 'utf8')) as StoredResults;

    it('is exactly what scripts/results.mjs renders from the committed results.json', () => {
        expect(readFileSync(join(root, RESULTS_MD), 'utf8')).toBe(renderResults(stored));
    });

    it('has one row per hypothesis of every bundled file, at the file\'s documented samples and seed', () => {
        for (const example of EXAMPLES) {
            const entry = stored.examples[example.id];
            // A file still being written (not committed yet) need not have rows.
            if (!existsSync(join(root, example.file)) || !tracked(example.file)) continue;
            expect(entry, `${example.file} has no rows: run npm run results -- --only ${example.id}`).toBeDefined();
            expect(entry.results.map(r => r.hypothesis)).toEqual(hypothesesOf(example.file));
            for (const r of entry.results) {
                expect(r.samples).toBe(optionOf(example.file, 'samples'));
                expect(r.seed).toBe(optionOf(example.file, 'seed'));
            }
        }
    });

    it('paren: every 95% CI is narrower than 0.05', () => {
        for (const r of stored.examples.paren.results) expect(r.ci95[1] - r.ci95[0]).toBeLessThan(0.05);
    });

    it('the stored toy only_a row is the value derived from the toy dataset, and what the CLI prints for its seed', async () => {
        // Derivation (examples/toy): the model is right on every clean row, with cross-entropy
        // RIGHT = softplus(−4), and a wrong output costs exactly 4 more. only_a claims A (z1 > 3)
        // and resamples B and C from one x_o: the output is (z1(x) > 3) or (z2(x_o) > 3), wrong
        // exactly when z1(x) ≤ 3 and [z2(x_o) > 3] ≠ [z2(x) > 3]. With pb the share of rows with
        // z2 > 3: P_s = mean over x of [z1 ≤ 3]·(b(x) ? 1 − pb : pb). The baseline runs the model on
        // a uniform x': wrong when y(x') ≠ y(x); with py the share of y = 1, P_r = mean over x of
        // (y(x) ? 1 − py : py). Loss recovered = 1 − P_s / P_r. These are expectations over the
        // whole dataset; the row's 2,000 roots are half of it, so each is within 4 binomial σ.
        const rows = readFileSync(join(root, 'examples/toy/toy_or.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { z: number[]; y: number });
        const share = (f: (r: { z: number[]; y: number }) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
        const pb = share(r => Number(r.z[1] > 3));
        const py = share(r => r.y);
        const ps = share(r => (r.z[0] <= 3 ? (r.z[1] > 3 ? 1 - pb : pb) : 0));
        const pr = share(r => (r.y === 1 ? 1 - py : py));
        const RIGHT = Math.log1p(Math.exp(-4));
        const row = stored.examples.toy.results.find(r => r.hypothesis === 'only_a')!;
        const n = row.samples;
        const sd = (p: number) => Math.sqrt((p * (1 - p)) / n);
        expect(row.clean).toBeCloseTo(RIGHT, 6);
        // worse = the share of roots made wrong; random = RIGHT + 4 · (share of baseline roots wrong).
        expect(Math.abs(row.worse - ps) / sd(ps)).toBeLessThanOrEqual(4);
        const randomWrong = (row.random - RIGHT) / 4;
        expect(Math.abs(randomWrong - pr) / sd(pr)).toBeLessThanOrEqual(4);
        expect(row.scrubbed).toBeCloseTo(RIGHT + 4 * row.worse, 9);
        // Loss recovered 1 − S/R for shares S, R (delta method; leaving out their positive
        // covariance under common random numbers overstates σ).
        const sigma = Math.sqrt(sd(ps) ** 2 / pr ** 2 + (ps ** 2 * sd(pr) ** 2) / pr ** 4);
        expect(Math.abs(row.lossRecovered - (1 - ps / pr)) / sigma).toBeLessThanOrEqual(4);
        expect(row.ci95[0]).toBeLessThan(row.lossRecovered);
        expect(row.ci95[1]).toBeGreaterThan(row.lossRecovered);
        // The stored row is the CLI's own output for its seed (RESULTS.md is current).
        const { stdout } = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'only_a', '--samples', String(row.samples), '--seed', String(row.seed), '--json');
        const [r] = (JSON.parse(stdout) as { results: ScrubResult[] }).results;
        expect({ lossRecovered: r.lossRecovered, ci95: r.ci95, clean: r.clean, scrubbed: r.scrubbed, random: r.random })
            .toEqual({ lossRecovered: row.lossRecovered, ci95: row.ci95, clean: row.clean, scrubbed: row.scrubbed, random: row.random });
    }, 30_000);
});
