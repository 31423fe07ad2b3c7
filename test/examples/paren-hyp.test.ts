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
    it('passes hyp check with no diagnostics at all', async () => {
        const { stdout, stderr } = await hyp('check', PAREN);
        expect(stdout.trim()).toBe('');
        expect(stderr.trim()).toBe(`${PAREN}: 7 hypotheses, 0 errors, 0 warnings`);
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

    it('a stored row is what the CLI prints for its seed (toy, cheap)', async () => {
        const row = stored.examples.toy.results.find(r => r.hypothesis === 'only_a')!;
        const { stdout } = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'only_a', '--samples', String(row.samples), '--seed', String(row.seed), '--json');
        const [r] = (JSON.parse(stdout) as { results: ScrubResult[] }).results;
        expect({ lossRecovered: r.lossRecovered, ci95: r.ci95, clean: r.clean, scrubbed: r.scrubbed, random: r.random })
            .toEqual({ lossRecovered: row.lossRecovered, ci95: row.ci95, clean: row.clean, scrubbed: row.scrubbed, random: row.random });
    }, 30_000);
});
