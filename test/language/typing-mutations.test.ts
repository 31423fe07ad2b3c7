// The editor never throws while you type (2): every prefix of the toy file through every editor
// feature and the slow checks, random token deletions and insertions, and random garbage.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
    ALL, bundledFiles, captureLoggedExceptions, crashes, cuts, diagnose, FAST, freshUri, parse, ROOT,
} from '../fixtures/typing-fuzz.js';
import { services } from './helpers.js';

const files = bundledFiles();

describe('validation and editor features never throw while typing: mutations', () => {
    captureLoggedExceptions();

    it('every prefix of the whole toy file, slow checks included', async () => {
        const path = join(ROOT, 'examples/toy/toy.hyp');
        const text = readFileSync(path, 'utf8');
        const failures: string[] = [];
        for (const cut of cuts(text)) {
            for (const c of crashes(await diagnose(text.slice(0, cut), dirname(path), ALL))) failures.push(`${c} at offset ${cut}`);
        }
        expect(failures.slice(0, 5)).toEqual([]);
    }, 300_000);

    it('every prefix of the whole toy file: every editor feature answers at the cut and on the whole document', async () => {
        const path = join(ROOT, 'examples/toy/toy.hyp');
        const text = readFileSync(path, 'utf8');
        const lsp = services.lsp;
        for (const cut of cuts(text)) {
            const prefix = text.slice(0, cut);
            const document = await parse(prefix, { documentUri: freshUri(dirname(path), 'fuzz-lsp'), validation: true });
            const textDocument = { uri: document.uri.toString() };
            const end = document.textDocument.positionAt(cut);
            const range = { start: { line: 0, character: 0 }, end };
            const where = `after ${JSON.stringify(prefix.slice(-40))}`;
            try {
                await lsp.DocumentSymbolProvider!.getSymbols(document, { textDocument });
                await lsp.SemanticTokenProvider!.semanticHighlight(document, { textDocument });
                await lsp.CodeLensProvider!.provideCodeLens(document, { textDocument });
                await lsp.InlayHintProvider!.getInlayHints(document, { textDocument, range });
                await lsp.Formatter!.formatDocument(document, { textDocument, options: { tabSize: 4, insertSpaces: true } });
                await lsp.FoldingRangeProvider!.getFoldingRanges(document, { textDocument });
                await lsp.CodeActionProvider!.getCodeActions(document, { textDocument, range, context: { diagnostics: document.diagnostics ?? [] } });
                for (const offset of [cut, Math.max(0, cut - 1), Math.max(0, cut - 3)]) {
                    const at = { textDocument, position: document.textDocument.positionAt(offset) };
                    await lsp.HoverProvider!.getHoverContent(document, at);
                    await lsp.CompletionProvider!.getCompletion(document, at);
                    await lsp.DefinitionProvider!.getDefinition(document, at);
                    await lsp.ReferencesProvider!.findReferences(document, { ...at, context: { includeDeclaration: true } });
                    await lsp.DocumentHighlightProvider!.getDocumentHighlight(document, at);
                    await lsp.RenameProvider!.prepareRename(document, at);
                }
            } catch (e) {
                throw new Error(`${(e as Error).stack}\n${where}`);
            } finally {
                await services.shared.workspace.DocumentBuilder.update([], [document.uri]);
            }
        }
    }, 300_000);

    /** Tokens of the bundled files, to insert at random places. */
    const vocabulary = [...new Set(files.flatMap(f => services.parser.Lexer.tokenize(readFileSync(f, 'utf8')).tokens.map(t => t.image)))];

    for (const name of ['examples/toy/toy.hyp', 'examples/induction/induction.hyp', 'examples/paren/paren.hyp']) {
        it(`random token deletions and insertions in ${name}`, async () => {
            const path = join(ROOT, name);
            const text = readFileSync(path, 'utf8');
            const tokens = services.parser.Lexer.tokenize(text).tokens;
            const edit = fc.record({
                at: fc.nat({ max: tokens.length - 1 }),
                deleteCount: fc.nat({ max: 3 }),
                insert: fc.array(fc.constantFrom(...vocabulary), { maxLength: 3 }),
            });
            await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), async (edits, slow) => {
                let mutated = text;
                // Edits apply from the end so that earlier token offsets stay valid.
                for (const e of [...edits].sort((a, b) => b.at - a.at)) {
                    const start = tokens[e.at].startOffset;
                    const last = tokens[Math.min(e.at + e.deleteCount, tokens.length) - 1];
                    const end = e.deleteCount === 0 ? start : last.startOffset + last.image.length;
                    mutated = `${mutated.slice(0, start)} ${e.insert.join(' ')} ${mutated.slice(end)}`;
                }
                expect(crashes(await diagnose(mutated, dirname(path), slow ? ALL : FAST))).toEqual([]);
            }), { numRuns: name.includes('paren') ? 40 : 120, seed: 11 });
        }, 300_000);
    }

    it('random garbage, alone and spliced into a file', async () => {
        const toy = readFileSync(join(ROOT, 'examples/toy/toy.hyp'), 'utf8');
        const garbage = fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.string({ unit: fc.constantFrom(...'node->=<-"\'()[]{},.:0123456789 \nabz_+-*/%!'.split('')), maxLength: 120 }),
        );
        await fc.assert(fc.asyncProperty(garbage, fc.nat({ max: toy.length }), fc.boolean(), async (g, at, alone) => {
            const text = alone ? g : `${toy.slice(0, at)}${g}${toy.slice(at)}`;
            expect(crashes(await diagnose(text, join(ROOT, 'examples/toy'), ALL))).toEqual([]);
        }), { numRuns: 150, seed: 7 });
    }, 300_000);
});
