// `hyp check --numeric-budget N`: where the numeric pass's default bounds cannot cover a file's
// claimed edges, numeric-pass-skipped names them and the budget that tests them, and that budget
// does. The case: CumSum over 160 elements (no structural rule), one part per element, a claim that
// A's first element reads all 160: 160 claimed parent parts, over the 128 a file by default.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyp } from '../fixtures/cli.js';
import { removeInertCases, wideCumsumHyp, writeWideCumsumCase } from '../fixtures/inert-models.js';

afterAll(removeInertCases);

const WIDTH = 160;

function writeWideCase(): string {
    const file = join(writeWideCumsumCase(WIDTH), 'wide.hyp');
    writeFileSync(file, wideCumsumHyp(WIDTH));
    return file;
}

describe('hyp check --numeric-budget', () => {
    it('past the default bounds, names the claimed edges left untested and the budget that tests them; that budget tests them', async () => {
        const file = writeWideCase();
        const plain = await hyp('check', file);
        expect(plain.code).toBe(0);
        const lines = plain.stdout.trim().split('\n');
        expect(lines).toEqual([expect.stringMatching(/wide\.hyp:1:7: info numeric-pass-skipped: /)]);
        expect(lines[0]).toMatch(/left 160 claimed edges \(input\.z0 -> A\.a0, input\.z1 -> A\.a0, .* … 152 more\) untested/);
        expect(lines[0]).toMatch(/A has 160 claimed parent parts to perturb and 128 of the 128 a file were left/);
        expect(lines[0]).toMatch(/`hyp check --numeric-budget 2` \(2 times the default parts and work bounds\) tests them/);
        // The editor's setting is the editor's remedy (test/server/numeric-budget-setting.test.ts).
        expect(lines[0]).not.toMatch(/hyp\.numericBudget|the editor/);

        const raised = await hyp('check', file, '--numeric-budget', '2');
        expect(raised.code).toBe(0);
        const diagnostics = raised.stdout.trim().split('\n');
        // Tested: A[0] = x[0], so every claimed parent but input.z0 never moved it.
        expect(diagnostics.filter(l => l.includes('numeric-pass'))).toEqual([]);
        expect(diagnostics.filter(l => / warning edge-numerically-inert: /.test(l))).toHaveLength(WIDTH - 1);
        expect(raised.stdout).not.toMatch(/input\.z0 never moved/);
    }, 60_000);

    it('takes an integer from 1 to 1024, and only on check', async () => {
        for (const bad of ['0', '1.5', 'x', '2000']) {
            const r = await hyp('check', 'examples/toy/toy.hyp', '--numeric-budget', bad);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(new RegExp(`^hyp: --numeric-budget must be an integer from 1 to 1024 \\(got "${bad.replace('.', '\\.')}"\\)`));
            expect(r.stderr).toContain('usage: hyp check FILE.hyp [--numeric-budget N]');
        }
        // Its help says what the check runs, and where the editor takes the budget.
        const help = await hyp('help', 'check');
        expect(help.stdout).toMatch(/^usage: hyp check FILE\.hyp \[--numeric-budget N\]/);
        expect(help.stdout).not.toMatch(/without running the model/);
        expect(help.stdout).toMatch(/The model runs too, with onnxruntime on the CPU, on the dataset's first rows/);
        expect(help.stdout).toMatch(/--numeric-budget N {2}N times the default bounds \(1 to 1024\)/);
        expect(help.stdout).toContain('In the editor, the setting hyp.numericBudget.');
        const scrub = await hyp('scrub', 'examples/toy/toy.hyp', '--numeric-budget', '2');
        expect(scrub.code).toBe(2);
        expect(scrub.stderr).toMatch(/^hyp: scrub does not take --numeric-budget/);
    }, 60_000);
});
