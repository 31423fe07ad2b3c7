// Runs the slow validation category (features evaluated on the whole dataset) off the typing
// path: a moment after a document's fast validation. It runs as a read of the workspace lock, so it
// never cancels a build in progress, and any edit cancels it at once (the edit's build waits for
// it to stop), so a long evaluation never delays typing.
import { Cancellation, DocumentState, isOperationCancelled, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { HypServices } from '../hyp-module.js';

/** How long a document must stay unchanged after its fast validation before the slow checks run. */
export const SLOW_VALIDATION_DELAY_MS = 400;

export class HypSlowValidation {
    private readonly shared: LangiumSharedServices;
    private readonly timers = new Map<string, NodeJS.Timeout>();
    private readonly building = new Set<string>();
    private running?: Cancellation.CancellationTokenSource;
    private started = false;

    constructor(services: HypServices) {
        this.shared = services.shared;
    }

    /** Starts scheduling slow validation after every fast one (the language server calls this once). */
    start(delayMs = SLOW_VALIDATION_DELAY_MS): void {
        if (this.started) return;
        this.started = true;
        const builder = this.shared.workspace.DocumentBuilder;
        builder.onDocumentPhase(DocumentState.Validated, document => {
            const key = document.uri.toString();
            if (this.building.has(key)) return;
            clearTimeout(this.timers.get(key));
            this.timers.set(key, setTimeout(() => void this.runSlow(document, key), delayMs));
        });
        builder.onUpdate((changed, deleted) => {
            for (const uri of [...changed, ...deleted]) clearTimeout(this.timers.get(uri.toString()));
        });
        this.shared.workspace.TextDocuments?.onDidChangeContent(() => this.running?.cancel());
    }

    private async runSlow(document: LangiumDocument, key: string): Promise<void> {
        this.timers.delete(key);
        const { WorkspaceLock, DocumentBuilder, LangiumDocuments } = this.shared.workspace;
        await WorkspaceLock.read(async () => {
            // Only the live document, and only when its fast checks are done: the builder then runs
            // just the missing (slow) category and appends its diagnostics to the published ones.
            if (LangiumDocuments.getDocument(document.uri) !== document || document.state !== DocumentState.Validated) return;
            const source = new Cancellation.CancellationTokenSource();
            this.running = source;
            this.building.add(key);
            try {
                await DocumentBuilder.build([document], { validation: { categories: ['built-in', 'fast', 'slow'] } }, source.token);
            } catch (e) {
                if (!isOperationCancelled(e)) throw e;
            } finally {
                this.building.delete(key);
                if (this.running === source) this.running = undefined;
            }
        });
    }
}
