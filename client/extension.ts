// The VS Code extension: starts the hyp language server, registers the commands, and shows what
// the server reports — the worker's log in an output channel, running jobs in the status bar, a
// failed or refused scrub as a message. Settings and workspace trust go to the server.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { HypCommands, HypRpc } from '../language/communication/rpc.js';
import { ChallengePanels } from './challenge-panel.js';
import { registerCommands } from './commands.js';
import { HypothesisGraphPanels } from './hypothesis-graph-panel.js';
import { createLanguageClient } from './language-client.js';
import { onRpcNotification, sendRpcNotification, sendRpcRequest } from './rpc-client.js';
import { readScrubSettings } from './settings.js';
import { ScrubStatusBar } from './status-bar.js';

let client: LanguageClient | undefined;

/** What the extension exports to other extensions and to its own tests. */
export interface HypExtensionApi {
    /** The scrub worker's process id while a job runs. */
    workerPid(): Promise<number | null>;
}

/** Activates on the first .hyp file. */
export async function activate(context: vscode.ExtensionContext): Promise<HypExtensionApi> {
    const serverLog = vscode.window.createOutputChannel('Hyp Language Server', { log: true });
    const workerLog = vscode.window.createOutputChannel('Hyp Scrub Worker');
    const statusBar = new ScrubStatusBar();
    context.subscriptions.push(serverLog, workerLog, statusBar);
    const lc = createLanguageClient(context, serverLog);
    client = lc;
    const graphs = new HypothesisGraphPanels(lc);
    const challenges = new ChallengePanels();
    context.subscriptions.push(graphs, challenges);
    registerCommands(context, lc, workerLog, graphs, challenges);

    context.subscriptions.push(
        onRpcNotification(lc, HypRpc.workerLog, ({ line }) => workerLog.appendLine(`[${new Date().toISOString().slice(11, 23)}] ${line}`)),
        onRpcNotification(lc, HypRpc.jobs, ({ jobs }) => statusBar.update(jobs)),
        onRpcNotification(lc, HypRpc.finished, f => {
            // A finished scrub may bring node effects to colour its drawing with.
            if (f.outcome === 'done') graphs.refresh(f.uri, f.hypothesis);
            if (f.outcome === 'failed') {
                void vscode.window.showErrorMessage(`Scrubbing "${f.hypothesis}" failed: ${f.message ?? 'unknown error'}`, 'Show Log')
                    .then(choice => choice && vscode.commands.executeCommand(HypCommands.showLog));
            } else if (f.outcome === 'cancelled') {
                vscode.window.setStatusBarMessage(`Hyp: scrubbing "${f.hypothesis}" cancelled`, 3000);
            }
        }),
        vscode.workspace.onDidChangeConfiguration(e => {
            if (e.affectsConfiguration('hyp')) void sendRpcNotification(lc, HypRpc.settings, readScrubSettings());
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => void sendRpcNotification(lc, HypRpc.workspaceTrusted, { trusted: true })),
    );
    await lc.start();
    return { workerPid: () => sendRpcRequest(lc, HypRpc.workerPid, {}) };
}

/** Stops the server, which kills its worker. */
export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}
