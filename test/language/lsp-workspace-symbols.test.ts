import { URI } from 'langium';
import { describe, expect, it } from 'vitest';
import { SymbolKind, type WorkspaceSymbol } from 'vscode-languageserver';
import { parse, services, TOY_HEADER, toyUri } from './helpers.js';

const HYP = `${TOY_HEADER}
hypothesis correct {
    node a -> A = z[0] > 3 <- input.z1
    node d -> D = a <- a
    output <- d
}
hypothesis only_b {
    node bee -> B = z[1] > 3 <- input.z2
    output <- bee
}`;

const provider = services.shared.lsp.WorkspaceSymbolProvider!;
const KIND_NAMES = new Map(Object.entries(SymbolKind).map(([name, kind]) => [kind, name]));
const brief = (symbols: WorkspaceSymbol[]) => symbols.map(s => [s.name, KIND_NAMES.get(s.kind), s.containerName ?? '']);

describe('workspace symbols', () => {
    it('finds hypotheses, hook points, split parts and I nodes across documents, with their kinds and containers', async () => {
        const first = await parse(HYP, { documentUri: toyUri() });
        const second = await parse(HYP.replace('hypothesis correct', 'hypothesis second_file'), { documentUri: toyUri() });
        const all = await provider.getSymbols({ query: '' });
        const ofFirst = all.filter(s => 'uri' in s.location && s.location.uri === first.uri.toString());
        expect(brief(ofFirst)).toEqual([
            ['input.z1', 'EnumMember', 'input'], ['input.z2', 'EnumMember', 'input'], ['input.z3', 'EnumMember', 'input'],
            ['A', 'Class', 'graph'], ['B', 'Class', 'graph'], ['C', 'Class', 'graph'], ['D', 'Class', 'graph'],
            ['correct', 'Class', ''], ['a', 'Variable', 'correct'], ['d', 'Variable', 'correct'],
            ['only_b', 'Class', ''], ['bee', 'Variable', 'only_b'],
        ]);
        // The location is the name: a client jumps to it.
        const bee = ofFirst.find(s => s.name === 'bee')!;
        const range = (bee.location as { range: { start: { line: number; character: number }; end: { line: number; character: number } } }).range;
        const line = HYP.split('\n')[range.start.line];
        expect(line.slice(range.start.character, range.end.character)).toBe('bee');
        expect(all.some(s => s.name === 'second_file' && 'uri' in s.location && s.location.uri === second.uri.toString())).toBe(true);
        expect(URI.parse((all[0].location as { uri: string }).uri).scheme).toBe('file');
    });

    it('matches a query fuzzily, as a substring, and as container.name', async () => {
        await parse(HYP, { documentUri: toyUri() });
        const names = async (query: string) => [...new Set((await provider.getSymbols({ query })).map(s => s.name))];
        expect(await names('cor')).toEqual(['correct']);
        expect(await names('rect')).toEqual(['correct']);
        expect(await names('onlyb')).toEqual(['only_b']);
        expect(await names('only_b.bee')).toEqual(['bee']);
        expect(await names('input.z')).toEqual(['input.z1', 'input.z2', 'input.z3']);
        expect(await names('no such name')).toEqual([]);
    });
});
