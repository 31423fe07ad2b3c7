// The documentation's examples work: every complete .hyp file shown in the README and docs/ (a
// ```hyp block that declares a model; the others are fragments of a file) checks without errors
// beside the toy model it names, and scrubs. A reader who pastes one gets what the text promises.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scrub } from '../../engine/scrub.js';
import { checkHypFile } from '../../language/check-file.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOY = join(ROOT, 'examples/toy');
const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

/** The ```hyp blocks of a Markdown file that are whole files, with the line each starts on. */
function completeExamples(markdown: string): { line: number; text: string }[] {
    const blocks: { line: number; text: string }[] = [];
    const lines = markdown.split('\n');
    for (let i = 0; i < lines.length; i++) {
        if (lines[i].trim() !== '```hyp') continue;
        const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
        const text = lines.slice(i + 1, end).join('\n');
        if (/^\s*model\s+"/m.test(text)) blocks.push({ line: i + 2, text });
        i = end;
    }
    return blocks;
}

const examples = documents.flatMap(doc => completeExamples(readFileSync(join(ROOT, doc), 'utf8')).map(e => ({ doc, ...e })));

describe('the examples of the README and docs/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-doc-examples-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl']) copyFileSync(join(TOY, f), join(dir, f));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds the complete examples (the README\'s and the language reference\'s)', () => {
        expect(examples.map(e => e.doc)).toEqual(expect.arrayContaining(['README.md', 'docs/language.md']));
    });

    for (const example of examples) {
        it(`${example.doc}:${example.line} checks without errors and scrubs`, async () => {
            const file = join(dir, `${example.doc.replace(/\W/g, '_')}_${example.line}.hyp`);
            writeFileSync(file, example.text);
            const { diagnostics, spec } = await checkHypFile(file);
            expect(diagnostics.filter(d => d.severity === 'error')).toEqual([]);
            const results = await scrub(spec!, { samples: 200, ep: 'cpu' });
            expect(results.length).toBe(spec!.hypotheses.length);
            for (const r of results) expect(Number.isFinite(r.lossRecovered)).toBe(true);
        });
    }
});
