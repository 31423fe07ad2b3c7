// `hyp discover` and `hyp challenge` as a user runs them: the block on stdout, the trials and the
// cost on stderr, the verdict and its rule, usage errors with exit 2.
import { describe, expect, it } from 'vitest';
import { hyp } from '../fixtures/cli.js';

describe('hyp discover', () => {
    it('prints the smaller toy hypothesis as a block with its rule, cost and removals, and each trial on stderr', async () => {
        const r = await hyp('discover', 'examples/toy/toy.hyp', '--samples', '500', '--name', 'small');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('// Found by hyp discover from identity: a removal is kept when the lower end of its 95% CI stays at or above 90%.');
        expect(r.stdout).toMatch(/\/\/ 500 samples, seed 0: 7 scrubs in [\d.]+ s\./);
        // C is multiplied by zero: its edge goes, and with it the node.
        expect(r.stdout).toContain('//   C -> D: 100.0% (95% CI 100.0–100.0); nothing reads C any more');
        expect(r.stdout).toContain('hypothesis small {\n    node A -> A <- input.z1');
        expect(r.stdout).toContain('    node D -> D <- A, B\n');
        expect(r.stderr).toMatch(/\[1\] D -> output: 0\.0% \(95% CI 0\.0–0\.0\) kept/);
        expect(r.stderr).toMatch(/found 100\.0% \(95% CI 100\.0–100\.0\) with 5 of 7 I-edges: 7 scrubs/);
    });

    it('--json gives the trials, sizes and text; --rule point says so', async () => {
        const r = await hyp('discover', 'examples/toy/toy.hyp', '--samples', '300', '--from', 'correct', '--rule', 'point', '--threshold', '30%', '--json');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as { from: string; rule: string; threshold: number; scrubs: number; trials: unknown[]; text: string; edges: { start: number; found: number } };
        expect(out).toMatchObject({ from: 'correct', rule: 'point', threshold: 0.3, edges: { start: 5 } });
        expect(out.scrubs).toBe(out.trials.length + 1);
        expect(out.text).toContain('its point estimate stays at or above 30% (the CI is not used)');
    });

    it('refuses a bad rule, threshold or name with the usage', async () => {
        for (const args of [['--rule', 'mean'], ['--threshold', '1.5'], ['--name', 'a-b']]) {
            const r = await hyp('discover', 'examples/toy/toy.hyp', ...args);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/^hyp: --(rule|threshold|name) /);
            expect(r.stderr).toContain('usage: hyp discover FILE.hyp');
        }
    });
});

describe('hyp challenge', () => {
    it('gives the verdict with its rule and the best refinements as blocks that extend the hypothesis', async () => {
        const r = await hyp('challenge', 'examples/toy/toy.hyp', '--hypothesis', 'only_a', '--samples', '500', '--top', '2');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^only_a: [\d.]+% \(95% CI [\d.]+–[\d.]+\)\. \d+ implied refinements and \d+ stronger claims scrubbed/);
        expect(r.stdout).toContain('Rule: flagged when an implied refinement lowers loss recovered by more than the half-width');
        expect(r.stdout).toContain('hypothesis only_a_refined1 extends only_a {');
        expect(r.stdout).toContain('Stronger claims (not implied by the hypothesis');
    });

    it('takes exactly one --hypothesis', async () => {
        const r = await hyp('challenge', 'examples/toy/toy.hyp');
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('hyp: challenge takes one --hypothesis NAME');
    });
});
