// Find references for I nodes, G nodes, hypotheses, dataset fields and functions, from HypSymbols.
import type { Cancellation, LangiumDocument } from 'langium';
import type { ReferencesProvider } from 'langium/lsp';
import type { Location, ReferenceParams } from 'vscode-languageserver';
import type { HypServices } from '../hyp-module.js';
import type { HypSymbols } from '../scoping/hyp-symbols.js';

export class HypReferencesProvider implements ReferencesProvider {
    private readonly symbols: HypSymbols;

    constructor(services: HypServices) {
        this.symbols = services.references.HypSymbols;
    }

    findReferences(document: LangiumDocument, params: ReferenceParams, _token?: Cancellation.CancellationToken): Location[] {
        const at = this.symbols.symbolAt(document, document.textDocument.offsetAt(params.position));
        if (!at) return [];
        const uri = document.uri.toString();
        return this.symbols.occurrences(document, at.symbol)
            .filter(o => params.context.includeDeclaration || !o.declaration)
            .map(o => ({ uri, range: o.range }));
    }
}
