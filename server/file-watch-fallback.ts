// For clients that cannot register file watchers for the server (no dynamic registration of
// workspace/didChangeWatchedFiles), the server watches the model, dataset and features files of
// open documents itself, so that changing them on disk still revalidates every .hyp using them.
import { watch, type FSWatcher } from 'node:fs';
import { DocumentState } from 'langium';
import type { HypServices } from '../language/hyp-module.js';

export class FileWatchFallback {
    private readonly watchers = new Map<string, FSWatcher>();
    private readonly timers = new Map<string, NodeJS.Timeout>();

    constructor(private readonly services: HypServices) {}

    /** Watches the files every validated document declares, from now on. */
    start(): void {
        const data = this.services.workspace.HypWorkspaceData;
        this.services.shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Validated, document => {
            for (const path of data.declaredPaths(document)) this.watch(path);
        });
    }

    /** Closes every watcher (on shutdown). */
    dispose(): void {
        for (const w of this.watchers.values()) w.close();
        this.watchers.clear();
    }

    private watch(path: string): void {
        if (this.watchers.has(path)) return;
        try {
            const watcher = watch(path, { persistent: false }, () => {
                // Editors and tools write in several steps: react once they are done.
                clearTimeout(this.timers.get(path));
                this.timers.set(path, setTimeout(() => this.services.workspace.HypDataDependencies.filesChanged([path]), 100));
            });
            watcher.on('error', () => this.watchers.delete(path));
            this.watchers.set(path, watcher);
        } catch {
            // A file that does not exist yet is reported by validation; it is watched once it loads.
        }
    }
}
