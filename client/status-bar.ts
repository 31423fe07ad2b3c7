// The status bar item while scrub jobs run: the running hypothesis with its percentage and how
// many wait; hidden when nothing runs. A click shows the worker's log.
import * as vscode from 'vscode';
import { HypCommands, type JobSummary } from '../language/communication/rpc.js';
import { statusText } from './status-text.js';

/** Shows the server's job list in the status bar. */
export class ScrubStatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('hyp.scrubbing', vscode.StatusBarAlignment.Left, 10);

    constructor() {
        this.item.name = 'Hyp scrubbing';
        this.item.command = HypCommands.showLog;
    }

    update(jobs: JobSummary[]): void {
        const text = statusText(jobs);
        if (!text) {
            this.item.hide();
            return;
        }
        this.item.text = text;
        this.item.tooltip = jobs.map(j => `${j.hypothesis} (${vscode.workspace.asRelativePath(vscode.Uri.parse(j.uri))}): ${j.state}`).join('\n');
        this.item.show();
    }

    dispose(): void {
        this.item.dispose();
    }
}
