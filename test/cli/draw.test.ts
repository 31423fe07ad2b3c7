// `hyp draw` as a user runs it: the bundled CLI in a child process, its files, output and exit code.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hyp, root } from '../fixtures/cli.js';
import { CUMSUM_HYP, removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

describe('hyp draw', () => {
    it('writes the SVG of one hypothesis to stdout, the same bytes every time', async () => {
        const [a, b] = [await hyp('draw', 'examples/toy/toy.hyp', '--hypothesis', 'correct'), await hyp('draw', 'examples/toy/toy.hyp', '--hypothesis', 'correct')];
        expect(a.code).toBe(0);
        expect(a.stdout).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*><title>hypothesis correct<\/title>/);
        expect(a.stdout).toContain('>d = a or b<');
        expect(a.stdout.endsWith('</svg>\n')).toBe(true);
        expect(b.stdout).toBe(a.stdout);
    });

    it('writes -o FILE, or one NAME.svg per hypothesis into -o FOLDER/', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-draw-'));
        const one = await hyp('draw', 'examples/toy/toy.hyp', '--hypothesis', 'only_a', '-o', join(dir, 'a.svg'));
        expect(one.code).toBe(0);
        expect(one.stderr).toBe(`wrote ${join(dir, 'a.svg')}\n`);
        expect(readFileSync(join(dir, 'a.svg'), 'utf8')).toContain('<title>hypothesis only_a</title>');
        const all = await hyp('draw', 'examples/toy/toy.hyp', '--out', join(dir, 'all') + '/');
        expect(all.code).toBe(0);
        expect(readdirSync(join(dir, 'all')).sort()).toEqual(['correct.svg', 'identity.svg', 'nothing.svg', 'only_a.svg', 'wrong_b.svg']);
        expect(readFileSync(join(dir, 'all/only_a.svg'), 'utf8')).toBe(readFileSync(join(dir, 'a.svg'), 'utf8'));
    });

    it('is a usage error (exit 2) to leave the hypothesis open in a file of several, or to name one that is not there', async () => {
        const several = await hyp('draw', 'examples/toy/toy.hyp');
        expect(several.code).toBe(2);
        expect(several.stderr).toMatch(/^hyp: examples\/toy\/toy\.hyp has 5 hypotheses \(correct, only_a, nothing, wrong_b, identity\): name one with --hypothesis, or give a folder with -o\nusage: hyp draw FILE\.hyp/);
        const unknown = await hyp('draw', 'examples/toy/toy.hyp', '--hypothesis', 'corect');
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/^hyp: no hypothesis "corect" in examples\/toy\/toy\.hyp \(it has correct, only_a/);
        expect(several.stdout + unknown.stdout).toBe('');
    });

    it('draws nothing for a file with errors: its diagnostics on stderr and exit 1', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-draw-'));
        for (const f of ['toy_or.onnx', 'toy_or.jsonl']) copyFileSync(join(root, 'examples/toy', f), join(dir, f));
        writeFileSync(join(dir, 'toy.hyp'), readFileSync(join(root, 'examples/toy/toy.hyp'), 'utf8').replace('node d -> D = a or b ', 'node d -> D = a or bb'));
        const r = await hyp('draw', join(dir, 'toy.hyp'), '--hypothesis', 'correct');
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/toy\.hyp:\d+:\d+: error feature-unknown-name: .*bb/);
    });

    it('runs the numeric pass as hyp check does and draws a claimed edge it found inert dotted, with its trials', async () => {
        const dir = writeCumsumCase();
        writeFileSync(join(dir, 'test.hyp'), CUMSUM_HYP);
        const r = await hyp('draw', join(dir, 'test.hyp'));
        removeInertCases();
        expect(r.code).toBe(0);
        // The check's diagnostics go to stderr: the warning the drawing shows.
        expect(r.stderr).toMatch(/test\.hyp:9:33: warning edge-numerically-inert/);
        expect(r.stdout).toMatch(/<path class="edge inert"[^>]*><title>input\.z2 → A\.a0: numerically inert, moved A\.a0 in 0 of 32 trials/);
        expect(r.stdout).toContain('>claimed, numerically inert</text>');
    });

    it('has its own help', async () => {
        const r = await hyp('help', 'draw');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^usage: hyp draw FILE\.hyp \[--hypothesis NAME\]\.\.\. \[-o OUT\.svg \| -o FOLDER\/\]\n\n/);
        expect(r.stdout).toContain('Only SVG is written');
    });
});
