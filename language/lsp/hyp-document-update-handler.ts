// Documents as the editor opens and closes them. A closed document is dropped from the workspace:
// Langium then publishes an empty diagnostic list for it, and nothing revalidates and republishes
// it later (a model changing on disk, the watcher's event for a save just before the close). A
// closed file is not the server's to report; each .hyp stands alone, so nothing else needs it.
import { URI, type LangiumDocuments, type TextDocument } from 'langium';
import { DefaultDocumentUpdateHandler, type LangiumSharedServices } from 'langium/lsp';
import { FileChangeType, type DidChangeWatchedFilesParams, type TextDocumentChangeEvent } from 'vscode-languageserver';

export class HypDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.documents = services.workspace.LangiumDocuments;
    }

    didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
        this.fireDocumentUpdate([], [URI.parse(event.document.uri)]);
    }

    override didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
        // Every change is announced (model and dataset files revalidate their dependents), but only
        // documents the workspace holds are rebuilt: Langium would load any other .hyp file it sees.
        this.onWatchedFilesChangeEmitter.fire(params);
        const uris = (type: 'changed' | 'deleted') => [...new Set(params.changes
            .filter(c => (c.type === FileChangeType.Deleted) === (type === 'deleted'))
            .map(c => c.uri))].map(u => URI.parse(u));
        this.fireDocumentUpdate(uris('changed').filter(u => this.documents.hasDocument(u)), uris('deleted'));
    }
}
