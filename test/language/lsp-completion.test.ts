import { expectCompletion } from 'langium/test';
import { describe, expect, it } from 'vitest';
import type { CompletionList, TextEdit } from 'vscode-languageserver';
import { completionSiteAt } from '../../language/lsp/completion-context.js';
import { parse, services, TOY_HEADER, toyUri } from './helpers.js';

const complete = expectCompletion(services);
const labels = (c: CompletionList) => c.items.map(i => i.label);
const at = (text: string, assert: (c: CompletionList) => void) => complete({ text, index: 0, parseOptions: { documentUri: toyUri() }, assert, disposeAfterCheck: true });

describe('completion from the model and the dataset', () => {
    it('lists the model tensors inside a hook string, with dtype and shape in the detail', async () => {
        await at(TOY_HEADER.replace('node D = "D"', 'node D = "<|>"'), c => {
            expect(labels(c)).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']));
            // Weights, the input and the output cannot be hook points and are not offered.
            expect(labels(c)).not.toContain('x');
            expect(c.items.find(i => i.label === 'A')!.detail).toMatch(/^float32 \[.+\] · \w+$/);
        });
    });

    it('filters tensor names by what is typed, also in an unterminated string', async () => {
        await at(`${TOY_HEADER.replace('node D = "D"', 'node D = "D<|>')}\n`, c => expect(labels(c)).toEqual(['D', 'D_centered']));
        await at(`${TOY_HEADER.replace('node D = "D"', 'node D = "cent<|>')}\n`, c => expect(labels(c)).toEqual(['D_centered']));
    });

    it('lists the tensors right after an unclosed quote, at the end of a line and of the file', async () => {
        const tensors = (c: CompletionList) => expect(labels(c)).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']));
        await at(TOY_HEADER.replace('node D = "D"', 'node D = "<|>'), tensors);
        await at(`${TOY_HEADER}\ngraph {\n    node E = "<|>`, tensors);
        await at(`${TOY_HEADER}\ngraph {\n    node E = '<|>`, tensors);
    });

    it('in an unclosed string, the edit replaces the name being typed and not the rest of the line', () => {
        const text = 'graph {\n    node C = "B_g|t           // B > threshold\n}';
        const offset = text.indexOf('|');
        const site = completionSiteAt(text.replace('|', ''), offset)!;
        expect(site.site.kind).toBe('tensor');
        expect(text.replace('|', '').slice(site.start, site.end)).toBe('B_gt');
    });

    it('a position past the end of the file is read as the end of the file: every item\'s range lies inside it', async () => {
        const text = `${TOY_HEADER}\nhypothesis h {\n    output\n}\n`;
        const document = await parse(text, { documentUri: toyUri() });
        const end = document.textDocument.positionAt(text.length);
        for (const position of [{ line: end.line + 5, character: 3 }, { line: end.line, character: 40 }]) {
            const list = await services.lsp.CompletionProvider!.getCompletion(document, { textDocument: { uri: document.uri.toString() }, position });
            expect(list!.items.map(i => i.label)).toEqual(expect.arrayContaining(['hypothesis', 'samples']));
            for (const item of list!.items) {
                const range = (item.textEdit as TextEdit).range;
                expect(range.end).toEqual(end);
                expect(document.textDocument.offsetAt(range.start)).toBeLessThanOrEqual(text.length);
            }
        }
    });

    it('reads names with dots and slashes as one word: the edit replaces the whole string content', () => {
        const text = 'graph { node R = "/blocks.0/attn/hook_re|" }';
        const offset = text.indexOf('|');
        const site = completionSiteAt(text.replace('|', ''), offset)!;
        expect(site.site.kind).toBe('tensor');
        expect(site.typed).toBe('/blocks.0/attn/hook_re');
        expect(text.slice(site.start, site.end)).toBe('/blocks.0/attn/hook_re');
    });

    it('lists G nodes after ->, parts of split hooks and not the output', async () => {
        await at(`${TOY_HEADER}
hypothesis h {
    node a -> <|>
    output
}`, c => expect(labels(c).sort()).toEqual(['A', 'B', 'C', 'D']));
    });

    it('lists I nodes and input parts after <-, direct G-parents first', async () => {
        await at(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, <|>
    output <- d
}`, c => {
            expect(labels(c)).toEqual(expect.arrayContaining(['b', 'input.z1', 'input.z2', 'input.z3']));
            expect(labels(c)).not.toContain('a'); // already a parent
            expect(labels(c)).not.toContain('d'); // itself
            const b = c.items.find(i => i.label === 'b')!;
            const z1 = c.items.find(i => i.label === 'input.z1')!;
            expect(b.detail).toBe('I node · B -> D');
            expect(z1.detail).toBe('input part · input.z1 -> D is not a G-edge');
            expect(b.sortText! < z1.sortText!).toBe(true);
        });
    });

    it('offers I-parents, dataset fields, builtins and keywords in a feature', async () => {
        await at(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node d -> D = <|> <- a
    output <- d
}`, c => {
            expect(labels(c)).toEqual(expect.arrayContaining(['a', 'z', 'y', 'len', 'cumsum', 'not']));
            expect(c.items.find(i => i.label === 'z')!.detail).toBe('field: list<int>');
            expect(c.items.find(i => i.label === 'len')!.detail).toBe('len(xs) → int');
        });
    });

    it('filters feature names by the typed prefix', async () => {
        await at(`${TOY_HEADER}
hypothesis h {
    node a -> A = cum<|> <- input.z1
    output
}`, c => expect(labels(c)).toEqual(['cumsum']));
    });

    it('lists fields after label, metrics after metric, and keywords at the top level', async () => {
        await at(TOY_HEADER.replace('label y', 'label <|>'), c => expect(labels(c).sort()).toEqual(['y', 'z']));
        await at(TOY_HEADER.replace('metric cross_entropy', 'metric <|>'), c => expect(labels(c).sort()).toEqual(['accuracy', 'cross_entropy', 'kl', 'logit_diff']));
        await at(`${TOY_HEADER}\n<|>`, c => expect(labels(c)).toEqual(expect.arrayContaining(['hypothesis', 'samples', 'seed'])));
    });
});
