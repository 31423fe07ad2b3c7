// Which documents use which model, dataset and features files, and their revalidation when such a
// file changes on disk or finishes loading in the background. Langium only rebuilds documents of
// its own languages on watched-file changes; these files are not, so we listen ourselves.
import { URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { HypServices } from '../hyp-module.js';
import type { HypWorkspaceData } from './hyp-workspace-data.js';

export class HypDataDependencies {
    private readonly data: HypWorkspaceData;
    private readonly shared: LangiumSharedServices;
    private readonly languageId: string;

    constructor(services: HypServices) {
        this.data = services.workspace.HypWorkspaceData;
        this.shared = services.shared;
        this.languageId = services.LanguageMetaData.languageId;
        this.shared.lsp.DocumentUpdateHandler.onWatchedFilesChange?.(params => {
            const paths = params.changes.map(c => URI.parse(c.uri)).filter(u => u.scheme === 'file').map(u => u.fsPath);
            this.filesChanged(paths);
        });
        this.data.onDidLoad(path => this.revalidate([path]));
    }

    /** The .hyp documents that declare one of these files. */
    dependents(paths: readonly string[]): LangiumDocument[] {
        const wanted = new Set(paths);
        return this.hypDocuments().filter(d => this.data.declaredPaths(d).some(p => wanted.has(p))).toArray();
    }

    /** Files changed on disk: forget them and revalidate their dependents. */
    filesChanged(paths: readonly string[]): void {
        for (const p of paths) this.data.invalidate(p);
        this.revalidate(paths);
    }

    /** Rebuilds (and so revalidates and republishes) every document that uses one of the files. */
    revalidate(paths: readonly string[]): Promise<void> {
        return this.rebuild(this.dependents(paths));
    }

    /** Rebuilds every .hyp document: something all their analyses depend on changed (a setting). */
    revalidateAll(): Promise<void> {
        return this.rebuild(this.hypDocuments().toArray());
    }

    private hypDocuments() {
        return this.shared.workspace.LangiumDocuments.all.filter(d => d.textDocument.languageId === this.languageId || d.uri.path.endsWith('.hyp'));
    }

    private rebuild(documents: readonly LangiumDocument[]): Promise<void> {
        const uris = documents.map(d => d.uri);
        if (uris.length === 0) return Promise.resolve();
        const { WorkspaceManager, WorkspaceLock, DocumentBuilder } = this.shared.workspace;
        return WorkspaceManager.ready.then(() => WorkspaceLock.write(token => DocumentBuilder.update(uris, [], token)));
    }
}
