// Highlights every occurrence of the symbol under the cursor (declarations as writes).
import type { LangiumDocument } from 'langium';
import type { DocumentHighlightProvider } from 'langium/lsp';
import { DocumentHighlightKind, type DocumentHighlight, type DocumentHighlightParams } from 'vscode-languageserver';
import type { HypServices } from '../hyp-module.js';
import type { HypSymbols } from '../scoping/hyp-symbols.js';

export class HypDocumentHighlightProvider implements DocumentHighlightProvider {
    private readonly symbols: HypSymbols;

    constructor(services: HypServices) {
        this.symbols = services.references.HypSymbols;
    }

    getDocumentHighlight(document: LangiumDocument, params: DocumentHighlightParams): DocumentHighlight[] | undefined {
        const at = this.symbols.symbolAt(document, document.textDocument.offsetAt(params.position));
        if (!at) return undefined;
        return this.symbols.occurrences(document, at.symbol)
            .map(o => ({ range: o.range, kind: o.declaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
    }
}
