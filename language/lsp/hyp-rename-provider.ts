// Rename I nodes (across an `extends` family, where overrides match by name), hook points, parts
// of splits and hypotheses. Dataset fields, functions and `input` itself are not ours to rename.
import type { LangiumDocument } from 'langium';
import type { RenameProvider } from 'langium/lsp';
import { ResponseError, type Range, type RenameParams, type TextDocumentPositionParams, type WorkspaceEdit } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import type { HypSymbols, SymbolAt } from '../scoping/hyp-symbols.js';

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED = new Set(['model', 'dataset', 'features', 'graph', 'metric', 'hypothesis', 'extends', 'node', 'output', 'input', 'split',
    'label', 'vocabulary', 'bos', 'pad', 'axis', 'axes', 'at', 'position', 'samples', 'seed', 'unimportant', 'ablation',
    'and', 'or', 'not', 'if', 'else', 'true', 'false', 'rest', 'through', 'subspace']);

export class HypRenameProvider implements RenameProvider {
    private readonly symbols: HypSymbols;

    constructor(services: HypServices) {
        this.symbols = services.references.HypSymbols;
    }

    prepareRename(document: LangiumDocument, params: TextDocumentPositionParams): Range | undefined {
        const at = this.renamable(document, params);
        return at?.range;
    }

    rename(document: LangiumDocument, params: RenameParams): WorkspaceEdit | undefined {
        const at = this.renamable(document, params);
        if (!at) return undefined;
        if (!NAME.test(params.newName) || RESERVED.has(params.newName)) {
            throw new ResponseError(-32602, `"${params.newName}" is not a name the language allows here`);
        }
        const edits = this.symbols.occurrences(document, at.symbol).map(o => ({ range: o.range, newText: params.newName }));
        return { changes: { [document.uri.toString()]: edits } };
    }

    private renamable(document: LangiumDocument, params: TextDocumentPositionParams): SymbolAt | undefined {
        const at = this.symbols.symbolAt(document, document.textDocument.offsetAt(params.position));
        if (!at) return undefined;
        const { symbol } = at;
        if (symbol.kind === 'field' || symbol.kind === 'function') return undefined;
        if (symbol.kind === 'graph' && (symbol.name === 'input' || symbol.name === 'output' || symbol.name.endsWith('.rest'))) return undefined;
        if (symbol.kind === 'graph' && symbol.name.includes('.')) {
            // A part of `O split through Z` is Z's part under O's name: renaming it renames Z's
            // (and so every O's); `bias` is no declared name.
            const [head, part] = symbol.name.split('.', 2);
            const hook = (document.parseResult.value as ast.HypFile).elements.filter(ast.isGraphDecl).flatMap(g => g.members)
                .find((m): m is ast.HookPoint => ast.isHookPoint(m) && m.name === head);
            if (hook?.split !== undefined && ast.isThroughSplit(hook.split)) {
                if (part === 'bias' || hook.split.source === undefined) return undefined;
                return { ...at, symbol: { kind: 'graph', name: `${hook.split.source}.${part}` } };
            }
        }
        return at;
    }
}
