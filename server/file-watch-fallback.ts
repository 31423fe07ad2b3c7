// For clients that cannot register file watchers for the server (no dynamic registration of
// workspace/didChangeWatchedFiles), the server watches the model, dataset and features files of
// open documents itself, so that changing them on disk still revalidates every .hyp using them.
//
// It watches each file's folder, not the file: a file that does not exist yet cannot be watched,
// and one replaced by a rename (how many editors and tools save) leaves a watcher on the old file.
// The folder reports both, by name.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DocumentState } from 'langium';
import type { HypServices } from '../language/hyp-module.js';

/** Writes come in several steps: a file is reported this long after its last event. */
const SETTLE_MS = 100;

export class FileWatchFallback {
    /** Per watched folder: its watcher and the names in it that documents declare. */
    private readonly folders = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
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
        for (const { watcher } of this.folders.values()) watcher.close();
        this.folders.clear();
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
    }

    private watch(path: string): void {
        const folder = dirname(path);
        const known = this.folders.get(folder);
        if (known) {
            known.names.add(basename(path));
            return;
        }
        const names = new Set([basename(path)]);
        try {
            const watcher = watch(folder, { persistent: false }, (_event, name) => {
                // Without a name (some platforms), any file of the folder may have changed.
                const changed = name ? (names.has(name.toString()) ? [name.toString()] : []) : [...names];
                for (const n of changed) this.settle(join(folder, n));
            });
            watcher.on('error', () => {
                watcher.close();
                this.folders.delete(folder);
            });
            this.folders.set(folder, { watcher, names });
        } catch {
            // A folder that does not exist: validation reports the file; it is watched once the
            // document is validated again with the folder there.
        }
    }

    private settle(path: string): void {
        clearTimeout(this.timers.get(path));
        this.timers.set(path, setTimeout(() => {
            this.timers.delete(path);
            this.services.workspace.HypDataDependencies.filesChanged([path]);
        }, SETTLE_MS));
    }
}
