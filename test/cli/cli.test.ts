// The `hyp` command as a user runs it: the bundled CLI in a child process, its output and exit code.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hyp, root } from '../fixtures/cli.js';

const toyDir = join(root, 'examples/toy');

/** A copy of the toy example in a temporary folder, with edits applied to its files. */
function toyCopy(edit: { hyp?: (s: string) => string; onnx?: Uint8Array; dataset?: (s: string) => string } = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-cli-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(toyDir, f), join(dir, f));
    if (edit.hyp) writeFileSync(join(dir, 'toy.hyp'), edit.hyp(readFileSync(join(dir, 'toy.hyp'), 'utf8')));
    if (edit.onnx) writeFileSync(join(dir, 'toy_or.onnx'), edit.onnx);
    if (edit.dataset) writeFileSync(join(dir, 'toy_or.jsonl'), edit.dataset(readFileSync(join(dir, 'toy_or.jsonl'), 'utf8')));
    return join(dir, 'toy.hyp');
}

describe('hyp check', () => {
    it('exits 0 with no output on the bundled toy example', async () => {
        const r = await hyp('check', 'examples/toy/toy.hyp');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('');
    });

    it('exits 1 on a misspelled tensor name, naming the line and the right name', async () => {
        const file = toyCopy({ hyp: s => s.replace('node B = "B"', 'node B = "Bb"') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        const line = readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes('"Bb"')) + 1;
        expect(r.stdout).toMatch(new RegExp(`toy\\.hyp:${line}:\\d+: error [\\w-]+: .*"B"`));
        // The hook is still declared: references to it are not errors of their own.
        expect(r.stdout.trim().split('\n')).toHaveLength(1);
    });

    it('reports a missing model file on the model declaration', async () => {
        const file = toyCopy({ hyp: s => s.replace('model "toy_or.onnx"', 'model "nowhere.onnx"') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/toy\.hyp:\d+:\d+: error [\w-]+: .*nowhere\.onnx/);
    });

    it('reports a corrupt model file instead of crashing', async () => {
        const file = toyCopy({ onnx: new TextEncoder().encode('this is not a protobuf') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/toy\.hyp:\d+:\d+: error [\w-]+: .*(ONNX|onnx)/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('reports a malformed file with a located syntax error', async () => {
        const file = toyCopy({ hyp: s => s.replace('output <- d', 'output <-') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/toy\.hyp:\d+:\d+: error/);
    });
});

describe('hyp scrub', () => {
    it('prints every hypothesis with loss recovered and its CI, identically for the same seed', async () => {
        const a = await hyp('scrub', 'examples/toy/toy.hyp', '--json', '--seed', '1', '--samples', '800', '--ep', 'cpu');
        expect(a.code).toBe(0);
        const { results } = JSON.parse(a.stdout) as { results: Record<string, unknown>[] };
        expect(results.map(r => r.hypothesis)).toEqual(['correct', 'only_a', 'nothing', 'wrong_b', 'identity']);
        for (const r of results) {
            for (const key of ['lossRecovered', 'ci95', 'clean', 'scrubbed', 'random', 'samples', 'seed', 'provider', 'seconds', 'worse', 'better']) {
                expect(r).toHaveProperty(key);
            }
            expect(r.samples).toBe(800);
            expect(r.seed).toBe(1);
        }
        const b = await hyp('scrub', 'examples/toy/toy.hyp', '--json', '--seed', '1', '--samples', '800', '--ep', 'cpu');
        // Times differ from run to run; everything else must not.
        const strip = (s: string) => JSON.parse(s).results.map((r: { stats: Record<string, unknown> }) =>
            ({ ...r, seconds: 0, stats: { ...r.stats, phaseSeconds: undefined } }));
        expect(strip(b.stdout)).toEqual(strip(a.stdout));
    });

    it('prints the human form with a percentage and CI', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'correct', '--samples', '200');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^correct\s+loss recovered 100\.0% \(95% CI 100\.0–100\.0\)/);
        expect(r.stdout).toMatch(/200 samples · seed 0 · [\d.]+ s · cpu/);
    });

    it('scrubs a feature that indexes an input part (input.z1[0] > 3, as documented) like the same feature on the field', async () => {
        const file = toyCopy({ hyp: s => s.replace('node a -> A = z[0] > 3  <- input.z1', 'node a -> A = input.z1[0] > 3  <- input.z1') });
        expect(readFileSync(file, 'utf8')).toContain('input.z1[0] > 3');
        const check = await hyp('check', file);
        expect(check.code).toBe(0);
        const args = ['--hypothesis', 'correct', '--hypothesis', 'only_a', '--samples', '300', '--seed', '3', '--json'];
        const parts = await hyp('scrub', file, ...args);
        expect(parts.stderr).toBe('');
        expect(parts.code).toBe(0);
        const fields = await hyp('scrub', 'examples/toy/toy.hyp', ...args);
        const numbers = (s: string) => JSON.parse(s).results.map((r: Record<string, unknown>) => [r.hypothesis, r.lossRecovered, r.ci95, r.scrubbed]);
        expect(numbers(parts.stdout)).toEqual(numbers(fields.stdout));
    });

    it('names the dataset line of a row that does not fit the model input', async () => {
        const file = toyCopy({ dataset: s => s.split('\n').map((l, i) => (i === 16 ? '{"z": [1, 2], "y": 0}' : l)).join('\n') });
        const r = await hyp('scrub', file, '--samples', '100');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/toy_or\.jsonl:17(:\d+)?: error [\w-]+: .*shape \[2\].*\[3\]/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('refuses an unknown hypothesis name and lists the ones there are', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'nope');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/no hypothesis named "nope".*correct, only_a/);
    });

    it('rejects bad options with usage and exit 2', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--samples', 'many');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--samples must be an integer/);
    });

    it('reports a missing .hyp file', async () => {
        const r = await hyp('scrub', 'examples/toy/missing.hyp');
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/missing\.hyp/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
    });
});

describe('hyp scrub --shard and hyp merge', () => {
    it('gives the unsharded numbers from shards merged', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-shards-'));
        const common = ['examples/toy/toy.hyp', '--hypothesis', 'only_a', '--seed', '4', '--samples', '600'];
        for (const k of [1, 2]) {
            const r = await hyp('scrub', ...common, '--shard', `${k}/2`, '--out', join(dir, `part-${k}.json`));
            expect(r.code).toBe(0);
        }
        const merged = await hyp('merge', join(dir, 'part-1.json'), join(dir, 'part-2.json'), '--json');
        const whole = await hyp('scrub', ...common, '--json');
        const numbers = (s: string) => JSON.parse(s).results.map((r: Record<string, unknown>) => [r.lossRecovered, r.ci95, r.clean, r.scrubbed, r.random]);
        expect(numbers(merged.stdout)).toEqual(numbers(whole.stdout));
        const missing = await hyp('merge', join(dir, 'part-2.json'));
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/shards missing: 1\/2/);
    });
});

describe('hyp graph', () => {
    it('lists inputs, outputs and tensors with dtype, shape and op', async () => {
        const r = await hyp('graph', 'examples/toy/toy_or.onnx');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/inputs:\s+x/);
        expect(r.stdout).toMatch(/outputs:\s+logits/);
        expect(r.stdout).toMatch(/^D\s+float32\s+\[batch, 1\]\s+\w+/m);
    });

    it('reports a missing model with its path', async () => {
        const r = await hyp('graph', 'examples/toy/none.onnx');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/none\.onnx.*error/);
    });
});
