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

    it('--metric-tolerance alone is ACDC\'s rule: a removal is kept when the metric worsens by at most TAU, paired over roots', async () => {
        const r = await hyp('discover', 'examples/toy/toy.hyp', '--samples', '500', '--metric-tolerance', '0', '--rule', 'point', '--json');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as { threshold: number | null; metricTolerance: number; text: string; edges: { found: number };
            trials: { parent: string; child: string; removed: boolean; worsening: { worsening: number; se: number } }[] };
        expect(out).toMatchObject({ threshold: null, metricTolerance: 0, edges: { found: 5 } });
        expect(out.text).toContain('a removal is kept when it behaves at most 0 worse than the circuit before it in the metric\'s units (the mean change; the CI is not used).');
        // C is multiplied by zero: removing its edge changes no root at all; every other edge makes the toy worse.
        const cd = out.trials.find(t => t.parent === 'C' && t.child === 'D')!;
        expect(cd).toMatchObject({ removed: true, worsening: { worsening: 0, se: 0 } });
        for (const t of out.trials.filter(t => t !== cd)) expect(t.worsening.worsening).toBeGreaterThan(0.5);
        expect(out.trials.filter(t => t.removed)).toHaveLength(1);
    });

    it('with --threshold and --metric-tolerance a removal must pass both', async () => {
        const args = ['discover', 'examples/toy/toy.hyp', '--samples', '500', '--rule', 'point', '--threshold', '0.3', '--json'];
        type Out = { trials: { parent: string; child: string; removed: boolean }[] };
        const removedBD = (o: Out) => o.trials.find(t => t.parent === 'B' && t.child === 'D')?.removed;
        // Without B -> D the toy recovers about 43%: above a 30% threshold, but about 1.0 worse in the metric.
        const threshold = await hyp(...args);
        expect(removedBD(JSON.parse(threshold.stdout) as Out)).toBe(true);
        const both = await hyp(...args, '--metric-tolerance', '0.5');
        expect(removedBD(JSON.parse(both.stdout) as Out)).toBe(false);
    });

    it('refuses an option the command does not take instead of ignoring it', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--threshold', '0.5');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^hyp: scrub does not take --threshold \(it takes --hypothesis, /);
        const c = await hyp('check', 'examples/toy/toy.hyp', '--samples', '5');
        expect(c.code).toBe(2);
        expect(c.stderr).toContain('hyp: check does not take --samples (it takes --numeric-budget)');
    });

    it('refuses a bad rule, threshold, tolerance or name with the usage', async () => {
        for (const args of [['--rule', 'mean'], ['--threshold', '1.5'], ['--metric-tolerance', '-1'], ['--metric-tolerance', 'x'], ['--name', 'a-b']]) {
            const r = await hyp('discover', 'examples/toy/toy.hyp', ...args);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/^hyp: --(rule|threshold|metric-tolerance|name) /);
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
