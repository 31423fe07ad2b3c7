import { expectFoldings, expectSymbols, highlightHelper } from 'langium/test';
import { describe, expect, it } from 'vitest';
import { SemanticTokenTypes, SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { services, TOY_HEADER, toyUri } from './helpers.js';

const HYP = `${TOY_HEADER}
hypothesis correct {
    node a -> A = z[0] > 3 <- input.z1
    node d -> D = a or any(map(z, v => v > 8)) <- a
    output <- d
}
hypothesis refined extends correct {
    node a -> A = z[0] > 4 <- input.z1
}`;

describe('outline, folding and semantic tokens', () => {
    it('outlines files, graph (hooks with parts) and hypotheses with their nodes', async () => {
        await expectSymbols(services)({
            text: HYP, parseOptions: { documentUri: toyUri() }, disposeAfterCheck: true,
            assert: (symbols: DocumentSymbol[]) => {
                const brief = (s: DocumentSymbol): unknown => [s.name, s.detail ?? '', ...(s.children ?? []).map(brief)];
                expect(symbols.map(brief)).toEqual([
                    ['model', 'toy_or.onnx'],
                    ['dataset', 'toy_or.jsonl', ['x', 'input'], ['label', 'y']],
                    ['graph', '', ['input', 'split', ['input.z1', ''], ['input.z2', ''], ['input.z3', '']], ['A', '"A"'], ['B', '"B"'], ['C', '"C"'], ['D', '"D"']],
                    ['metric', 'cross_entropy'],
                    ['correct', '', ['a', '-> A'], ['d', '-> D'], ['output', '']],
                    ['refined', 'extends correct', ['a', '-> A']],
                ]);
                expect(symbols[4].kind).toBe(SymbolKind.Class);
            },
        });
    });

    it('folds blocks, keeping the closing brace visible', async () => {
        await expectFoldings(services)({
            text: `<|dataset "d.jsonl" {
    input x = z
    label y|>
}
<|hypothesis h {
    node a -> A <- input
    output|>
}`, disposeAfterCheck: true,
        });
    });

    it('highlights G nodes as types, I nodes as variables, fields as properties, builtins as functions', async () => {
        const tokens = await highlightHelper(services)(HYP, { documentUri: toyUri() });
        const kinds = (text: string) => tokens.tokens.filter(t => HYP.slice(t.offset, t.offset + t.text.length) === text).map(t => t.tokenType);
        expect(kinds('A')).toEqual(expect.arrayContaining([SemanticTokenTypes.type]));
        expect(new Set(kinds('a'))).toEqual(new Set([SemanticTokenTypes.variable]));
        expect(kinds('z')).toEqual(expect.arrayContaining([SemanticTokenTypes.property]));
        expect(kinds('any')).toEqual([SemanticTokenTypes.function]);
        expect(kinds('v')).toEqual([SemanticTokenTypes.parameter, SemanticTokenTypes.parameter]);
        expect(kinds('correct')).toEqual([SemanticTokenTypes.class, SemanticTokenTypes.class]);
    });
});
