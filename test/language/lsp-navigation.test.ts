import { expectFindReferences, expectGoToDefinition, expectHighlight, parseDocument } from 'langium/test';
import { describe, expect, it } from 'vitest';
import type { TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { services, TOY_HEADER, toyUri } from './helpers.js';

const definition = expectGoToDefinition(services);
const references = expectFindReferences(services);
const parseOptions = () => ({ documentUri: toyUri() });

describe('go to definition', () => {
    it('goes from an I-parent, and from its name in a feature, to the I node', async () => {
        const text = `${TOY_HEADER}
hypothesis h {
    node <|a|> -> A = z[0] > 3 <- input.z1
    node d -> D = a<|> <- a<|>
    output <- d
}`;
        await definition({ text, index: 0, rangeIndex: 0, parseOptions: parseOptions(), disposeAfterCheck: true });
        await definition({ text, index: 1, rangeIndex: 0, parseOptions: parseOptions(), disposeAfterCheck: true });
    });

    it('goes from a target to the hook point, and from a part to its declaration', async () => {
        const text = TOY_HEADER.replace('split input axis 1 { z1: 0,', 'split input axis 1 { <|z1|>: 0,').replace('node A = "A"', 'node <|A|> = "A"') + `
hypothesis h {
    node a -> A<|> = z[0] > 3 <- input.z1<|>
    output
}`;
        await definition({ text, index: 0, rangeIndex: 1, parseOptions: parseOptions(), disposeAfterCheck: true });
        await definition({ text, index: 1, rangeIndex: 0, parseOptions: parseOptions(), disposeAfterCheck: true });
    });

    it('goes from a dataset field to its key in the dataset file', async () => {
        const document = await parseDocument(services, `${TOY_HEADER}hypothesis h { node a -> A = z[0] > 3 <- input.z1 output }`, parseOptions());
        const offset = document.textDocument.getText().indexOf('z[0]');
        const links = await services.lsp.DefinitionProvider!.getDefinition(document, { textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(offset) });
        expect(links?.[0].targetUri).toMatch(/examples\/toy\/toy_or\.jsonl$/);
        expect(links?.[0].targetRange).toEqual({ start: { line: 0, character: 1 }, end: { line: 0, character: 4 } });
    });
});

describe('find references and highlights', () => {
    it('an I node: its declarations across extends, its I-parent uses and its names in features', async () => {
        await references({
            text: `${TOY_HEADER}
hypothesis base {
    node <|b|><|> -> B = z[1] > 3 <- input.z2
    node d -> D = <|b|> <- <|b|>
    output <- d
}
hypothesis refined extends base {
    node <|b|> -> B = z[1] > 1 <- input.z2
}
hypothesis other {
    node b -> B = z[1] > 3 <- input.z2
    output
}`, includeDeclaration: true, parseOptions: parseOptions(), disposeAfterCheck: true,
        });
    });

    it('a hook point: its declaration and every target naming it', async () => {
        await references({
            text: TOY_HEADER.replace('node B = "B"', 'node <|B|><|> = "B"') + `
hypothesis h1 { node b -> <|B|> = z[1] > 3 <- input.z2 output }
hypothesis h2 { node x -> <|B|> output }`,
            includeDeclaration: true, parseOptions: parseOptions(), disposeAfterCheck: true,
        });
    });

    it('a dataset field: every feature and binding that reads it, not lambda parameters of that name', async () => {
        await references({
            text: TOY_HEADER.replace('input x = z', 'input x = <|z|><|>') + `
hypothesis h { node a -> A = <|z|>[0] > 3 and any(map(<|z|>, z => z > 1)) <- input.z1 output }`,
            includeDeclaration: false, parseOptions: parseOptions(), disposeAfterCheck: true,
        });
    });

    it('highlights an input part in parents and features', async () => {
        await expectHighlight(services)({
            text: TOY_HEADER.replace('{ z1: 0,', '{ <|z1|>: 0,') + `
hypothesis h { node a -> A = input.<|z1|>[0] > 3 <- input.<|z1|><|> output }`,
            index: 0, rangeIndex: [0, 1, 2], parseOptions: parseOptions(), disposeAfterCheck: true,
        });
    });
});

describe('the name under the cursor', () => {
    it('in input.z1 the part is named only on z1: on input and the dot it is the input, and the range is always around the cursor', async () => {
        const text = `${TOY_HEADER}\nhypothesis h { node a -> A = z[0] > 3 <- input.z1 output }`;
        const document = await parseDocument(services, text, parseOptions());
        const start = text.lastIndexOf('input.z1');
        const named = (offset: number) => {
            const at = services.references.HypSymbols.symbolAt(document, offset)!;
            const range = [document.textDocument.offsetAt(at.range.start), document.textDocument.offsetAt(at.range.end)];
            return [at.symbol.name, text.slice(range[0], range[1]), range[0] <= offset && offset <= range[1]];
        };
        expect(named(start)).toEqual(['input', 'input', true]);
        expect(named(start + 'input'.length)).toEqual(['input', 'input', true]);
        expect(named(start + 'input.'.length)).toEqual(['input.z1', 'z1', true]);
        expect(named(start + 'input.z1'.length)).toEqual(['input.z1', 'z1', true]);
    });
});

describe('rename', () => {
    async function rename(text: string, at: string, newName: string): Promise<string> {
        const document = await parseDocument(services, text, parseOptions());
        const offset = document.textDocument.getText().indexOf(at);
        const params = { textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(offset), newName };
        const edit = await services.lsp.RenameProvider!.rename(document, params);
        const edits = (edit?.changes?.[document.uri.toString()] ?? []) as TextEdit[];
        return TextDocument.applyEdits(TextDocument.create('x', 'hyp', 0, text), edits);
    }

    it('renames an I node everywhere in its extends family, features included', async () => {
        const text = `${TOY_HEADER}
hypothesis base {
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = b <- b
    output <- d
}
hypothesis refined extends base { node b -> B = z[1] > 1 <- input.z2 }`;
        expect(await rename(text, 'b -> B', 'second')).toBe(text.replace(/node b ->/g, 'node second ->').replace('D = b <- b', 'D = second <- second'));
    });

    it('renames a hook point in the graph and in every target, and a part of a split', async () => {
        const text = TOY_HEADER.replace('node B = "B"', 'node B = "B" split axis 1 { only: 0 }') + `
hypothesis h { node b -> B.only = z[1] > 3 <- input.z2  output }`;
        const renamed = await rename(text, 'B = "B"', 'Bee');
        expect(renamed).toContain('node Bee = "B" split');
        expect(renamed).toContain('node b -> Bee.only');
        const part = await rename(text, 'only: 0', 'first');
        expect(part).toContain('{ first: 0 }');
        expect(part).toContain('-> B.first');
    });

    it('refuses fields, builtins and keywords as new names', async () => {
        const document = await parseDocument(services, `${TOY_HEADER}hypothesis h { node a -> A = len(z) > 3 <- input.z1 output }`, parseOptions());
        const at = (s: string) => ({ textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(document.textDocument.getText().indexOf(s)) });
        expect(await services.lsp.RenameProvider!.prepareRename!(document, at('len('))).toBeUndefined();
        expect(await services.lsp.RenameProvider!.prepareRename!(document, at('z) >'))).toBeUndefined();
        expect(() => services.lsp.RenameProvider!.rename(document, { ...at('a -> A'), newName: 'output' })).toThrow(/not a name the language allows/);
    });
});
