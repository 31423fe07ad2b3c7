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
    it('exits 0 on the bundled toy example with a one-line summary on stderr and nothing on stdout', async () => {
        const r = await hyp('check', 'examples/toy/toy.hyp');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('');
        // Each hypothesis's plan (from a probe plan of 8 roots), then the summary.
        const lines = r.stderr.split('\n');
        expect(lines.slice(0, 5).map(l => l.split(':')[0])).toEqual(['correct', 'only_a', 'nothing', 'wrong_b', 'identity']);
        for (const l of [...lines.slice(0, 2), ...lines.slice(3, 5)]) expect(l).toMatch(/^\w+: Plan: ≈ \d distinct requests per root \(probe plan of 8 roots; by depth from the output: [\d, ]+\)\.$/);
        expect(lines[2]).toBe('nothing: Plan: no computed requests (every activation is a clean one: a forward pass per example; probe plan of 8 roots).');
        expect(lines.slice(5)).toEqual(['examples/toy/toy.hyp: 5 hypotheses, 0 errors, 0 warnings', '']);
    });

    it('counts errors and warnings in its summary', async () => {
        const file = toyCopy({ hyp: s => s.replace('node B = "B"', 'node B = "Bb"').replace('seed 0', 'seed 0\nseed 0') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`${file}: 5 hypotheses, 1 error, 1 warning\n`);
    });

    it('exits 1 on a dataset row that does not fit the model input, at the binding, naming the dataset line', async () => {
        const file = toyCopy({ dataset: s => s.split('\n').map((l, i) => (i === 16 ? '{"z": [1, 2], "y": 0}' : l)).join('\n') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        const line = readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes('input x = z')) + 1;
        expect(r.stdout).toMatch(new RegExp(`toy\\.hyp:${line}:\\d+: error input-row: toy_or\\.jsonl:17: input "x" has shape \\[2\\] here but the model expects \\[3\\]`));
    });

    it('exits 1 on a label outside the model\'s classes, which scrub refuses too even when no root draws it', async () => {
        const file = toyCopy({ dataset: s => s.split('\n').map((l, i) => (i === 3999 ? '{"z": [1, 2, 3], "y": 7}' : l)).join('\n') });
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        const line = readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes('label y')) + 1;
        expect(r.stdout).toMatch(new RegExp(`toy\\.hyp:${line}:\\d+: error label-class: toy_or\\.jsonl:4000: the label 7 is not one of the model's 2 classes`));
        const s = await hyp('scrub', file, '--hypothesis', 'correct', '--samples', '20');
        expect(s.code).toBe(1);
        expect(s.stdout).toBe('');
    });

    it('evaluates features that call the features module on every row, as scrub would, and reports the row where one fails', async () => {
        const file = toyCopy({ hyp: s => s.replace('model "toy_or.onnx"', 'model "toy_or.onnx"\nfeatures "mine.mjs"')
            .replace('node a -> A = z[0] > 3  <- input.z1', 'node a -> A = above(z, 3) <- input.z1') });
        const dir = join(file, '..');
        writeFileSync(join(dir, 'mine.mjs'), 'export function above(z, t) { if (z[0] === 4) throw new Error("no fours"); return z[0] > t; }\n');
        const r = await hyp('check', file);
        expect(r.code).toBe(1);
        const row = readFileSync(join(dir, 'toy_or.jsonl'), 'utf8').split('\n').findIndex(l => JSON.parse(l).z[0] === 4) + 1;
        const line = readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes('above(z, 3)')) + 1;
        // Once, in the hypothesis that declares the node (wrong_b inherits it and fails the same way).
        expect(r.stdout.trim().split('\n')).toEqual([
            `${file}:${line}:19: error feature-runtime: this feature fails on dataset row ${row} (toy_or.jsonl:${row}): features-module function above threw: no fours`,
        ]);
        writeFileSync(join(dir, 'mine.mjs'), 'export function above(z, t) { return z[0] > t; }\nthis is not javascript\n');
        const broken = await hyp('check', file);
        expect(broken.code).toBe(1);
        expect(broken.stdout).toMatch(/toy\.hyp:4:1: error features-unreadable: cannot load the features module: /);
        writeFileSync(join(dir, 'mine.mjs'), 'export function above(z, t) { return z[0] > t; }\n');
        const fine = await hyp('check', file);
        expect(fine.stdout).toBe('');
        expect(fine.code).toBe(0);
    });

    it('refuses a file that is not a .hyp file, saying what it takes', async () => {
        for (const command of ['check', 'scrub']) {
            const r = await hyp(command, 'examples/toy/toy_or.onnx');
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(new RegExp(`^hyp: ${command} takes a \\.hyp file, not examples/toy/toy_or\\.onnx \\(hyp graph lists a model's tensors\\)\\nusage: hyp ${command} FILE\\.hyp`));
        }
        const dir = await hyp('check', 'examples/toy');
        expect(dir.code).toBe(2);
        expect(dir.stderr).toMatch(/^hyp: examples\/toy is a directory: check takes a \.hyp file/);
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

    it('says before it runs when the clean reads do not fit the memory budget, and which budget fits', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'correct', '--samples', '2000', '--memory-budget', '0.05M', '--threads', '1');
        expect(r.code).toBe(0);
        const notices = r.stderr.split('\n').filter(l => l.includes('clean activations'));
        expect(notices).toHaveLength(1);
        expect(notices[0]).toMatch(/^hyp: the clean activations correct reads take .* over the dataset's 4000 examples, .*: each of its \d+ chunks of roots runs the model again on the examples it reads; --memory-budget 1G would run each example once$/);
        const quiet = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'correct', '--samples', '2000', '--threads', '1');
        expect(quiet.stderr).not.toContain('clean activations');
        // The budget changes the work, not the numbers.
        const untimed = (s: string) => s.replace(/ [\d.]+ s · /g, ' · ');
        expect(untimed(quiet.stdout)).toBe(untimed(r.stdout));
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
        // Nothing but progress lines (stderr is a pipe here).
        expect(parts.stderr).toMatch(/^(hyp: \w+ \(\d\/2\) \d+% after [\d.]+ s\n)+$/);
        expect(parts.code).toBe(0);
        const fields = await hyp('scrub', 'examples/toy/toy.hyp', ...args);
        const numbers = (s: string) => JSON.parse(s).results.map((r: Record<string, unknown>) => [r.hypothesis, r.lossRecovered, r.ci95, r.scrubbed]);
        expect(numbers(parts.stdout)).toEqual(numbers(fields.stdout));
    });

    it('names the dataset line of a row that does not fit the model input', async () => {
        const file = toyCopy({ dataset: s => s.split('\n').map((l, i) => (i === 16 ? '{"z": [1, 2], "y": 0}' : l)).join('\n') });
        const r = await hyp('scrub', file, '--samples', '100');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/toy\.hyp:\d+:\d+: error input-row: toy_or\.jsonl:17: .*shape \[2\].*\[3\]/);
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

    it('runs --exec fused to the staged numbers and refuses an unknown strategy', async () => {
        const run = (exec: string) => hyp('scrub', 'examples/toy/toy.hyp', '--json', '--samples', '600', '--ep', 'cpu', '--exec', exec);
        const [staged, fused] = [await run('staged'), await run('fused')];
        expect(fused.code).toBe(0);
        // Everything but the times and the run counts (fused: one run a chunk).
        const strip = (s: string) => JSON.parse(s).results.map((r: Record<string, unknown>) => ({ ...r, seconds: 0, stats: undefined }));
        expect(strip(fused.stdout)).toEqual(strip(staged.stdout));
        const bad = await run('fast');
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/^hyp: --exec must be auto, fused or staged \(got "fast"\)/);
    });

    it('reads a negative option value as a value and refuses it with its own message', async () => {
        for (const args of [['--samples', '-5'], ['--samples=-5']]) {
            const r = await hyp('scrub', 'examples/toy/toy.hyp', ...args);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/^hyp: --samples must be an integer ≥ 2 \(got "-5"\)\nusage: hyp scrub/);
        }
    });

    it('refuses a seed beyond 2^32-1 (the generator would wrap it onto a smaller seed)', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--seed', '4294967296');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^hyp: --seed must be an integer from 0 to 4294967295 \(got "4294967296"\)/);
        const top = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'nothing', '--seed', '4294967295', '--samples', '50', '--json');
        expect(top.code).toBe(0);
        expect(JSON.parse(top.stdout).results[0].seed).toBe(4294967295);
    });

    it('reports --shard mistakes as usage errors like every other option', async () => {
        for (const args of [['--shard', '3/2', '--out', '/tmp/x.json'], ['--shard', 'half', '--out', '/tmp/x.json'], ['--shard', '1/2']]) {
            const r = await hyp('scrub', 'examples/toy/toy.hyp', ...args);
            expect(r.code, args.join(' ')).toBe(2);
            expect(r.stderr).toMatch(/^hyp: --shard .*\nusage: hyp scrub/);
        }
    });

    it('refuses --out to a missing folder or to a directory before scrubbing', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-out-'));
        // Twenty million roots would scrub for minutes: the refusal must come first.
        const common = ['examples/toy/toy.hyp', '--samples', '20000000', '--shard', '1/2'];
        for (const [out, why] of [[join(dir, 'missing/part.json'), 'its folder does not exist'], [dir, 'it is a directory']]) {
            const started = Date.now();
            const r = await hyp('scrub', ...common, '--out', out);
            expect(r.code).toBe(2);
            expect(r.stderr.split('\n')[0]).toBe(`hyp: --out ${out}: cannot write there: ${why}`);
            expect(Date.now() - started).toBeLessThan(20_000);
        }
    });

    it('refuses an explicit execution provider that cannot start, saying why and how to install it', async () => {
        const webgpu = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'nothing', '--samples', '50', '--ep', 'webgpu');
        expect(webgpu.code).toBe(2);
        expect(webgpu.stdout).toBe('');
        expect(webgpu.stderr).toMatch(/error provider-unavailable: the webgpu execution provider cannot start here: .*Vulkan.* \(.*libvulkan1.*auto.*or cpu\)$/m);
        const cuda = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'nothing', '--samples', '50', '--ep', 'cuda');
        expect(cuda.code).toBe(2);
        expect(cuda.stderr).toMatch(/error provider-unavailable: the cuda execution provider cannot start here: .*CUDA.* \(.*ONNXRUNTIME_NODE_INSTALL=cuda12.*\)/);
    });

    it('falls back from --ep auto to the CPU and says why on stderr', async () => {
        const r = await hyp('scrub', 'examples/toy/toy.hyp', '--hypothesis', 'nothing', '--samples', '50', '--ep', 'auto', '--json');
        expect(r.code).toBe(0);
        const [result] = JSON.parse(r.stdout).results as { provider: string; providerFallbacks: string[] }[];
        expect(result.provider).toBe('cpu');
        expect(r.stderr).toContain(`hyp: --ep auto runs on the CPU: ${result.providerFallbacks.join('; ')}`);
        expect(result.providerFallbacks.map(f => f.split(':')[0])).toEqual(['cuda', 'webgpu']);
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
        const folder = await hyp('merge', dir);
        expect(folder.code).toBe(2);
        expect(folder.stderr).toMatch(new RegExp(`^hyp: ${dir} is a directory: merge takes a \\.json file per shard\\nusage: hyp merge`));
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

    it('refuses a directory, saying it takes a model file', async () => {
        const r = await hyp('graph', 'examples/toy');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^hyp: examples\/toy is a directory: graph takes an \.onnx file\nusage: hyp graph MODEL\.onnx/);
        expect(r.stderr).not.toMatch(/EISDIR/);
    });
});

describe('hyp --version and hyp help', () => {
    it('prints the version', async () => {
        const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
        for (const args of [['--version'], ['-V']]) {
            const r = await hyp(...args);
            expect(r.code).toBe(0);
            expect(r.stdout).toBe(`hyp ${version}\n`);
        }
    });

    it('prints every command with help, and one command\'s options with help COMMAND', async () => {
        const all = await hyp('help');
        expect(all.code).toBe(0);
        for (const command of ['check', 'scrub', 'merge', 'graph', 'help']) expect(all.stdout).toMatch(new RegExp(`^  hyp ${command}`, 'm'));
        const scrub = await hyp('help', 'scrub');
        expect(scrub.code).toBe(0);
        expect(scrub.stdout).toMatch(/^usage: hyp scrub FILE\.hyp/);
        expect(scrub.stdout).toMatch(/--ep auto\|cpu\|cuda\|webgpu/);
        expect(scrub.stdout).not.toMatch(/hyp graph/);
        const flag = await hyp('scrub', '--help');
        expect(flag.stdout).toBe(scrub.stdout);
        const unknown = await hyp('help', 'frobnicate');
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/^hyp: unknown command "frobnicate" \(commands: check, scrub, merge, graph, draw, discover, challenge, help\)/);
    });
});
