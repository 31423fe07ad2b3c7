// The challenge view: a webview beside the editor with what "Challenge this hypothesis" found
// (challenge-html.ts), one per challenged hypothesis, replaced when it is challenged again. Its
// Insert buttons run INSERT_REFINEMENT_COMMAND, which asks the server to insert the block below
// the hypothesis.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChallengeReply } from '../language/communication/explore-commands.js';
import type { InsertBelowParams, InsertBelowResult } from '../language/communication/rpc.js';
import { challengeHtml, type ChallengeHostMessage, type ChallengePageMessage } from './challenge-html.js';

/** The extension's command behind the Insert buttons (not in the palette: it needs a refinement). */
export const INSERT_REFINEMENT_COMMAND = 'hyp.insertRefinement';

export class ChallengePanels implements vscode.Disposable {
    /** Open panels by `uri#hypothesis`, with the Insert listener of the report they show. */
    private readonly panels = new Map<string, { panel: vscode.WebviewPanel; listener?: vscode.Disposable }>();

    /** Shows a finished challenge, in the hypothesis's panel if it has one. */
    show(reply: Extract<ChallengeReply, { outcome: 'done' }>): void {
        const { uri, report } = reply;
        const key = `${uri}#${report.hypothesis}`;
        const title = `Challenge: ${report.hypothesis}`;
        let entry = this.panels.get(key);
        if (entry) {
            entry.panel.reveal(vscode.ViewColumn.Beside, true);
        } else {
            // Scripts only for the Insert buttons (the page's CSP allows its one nonce'd script).
            const panel = vscode.window.createWebviewPanel('hyp.challenge', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
                { enableScripts: true, localResourceRoots: [] });
            const created = { panel };
            this.panels.set(key, created);
            panel.onDidDispose(() => {
                if (this.panels.get(key) === created) this.panels.delete(key);
            });
            entry = created;
        }
        const { panel } = entry;
        entry.listener?.dispose();
        entry.listener = panel.webview.onDidReceiveMessage(async (m: ChallengePageMessage) => {
            const r = m?.type === 'insert' ? report.refinements[m.index] : undefined;
            if (!r) return;
            const params: InsertBelowParams = { uri, hypothesis: report.hypothesis, name: r.name, text: r.text };
            const result = await vscode.commands.executeCommand<InsertBelowResult | undefined>(INSERT_REFINEMENT_COMMAND, params);
            const answer: ChallengeHostMessage = result?.applied && result.name ? { type: 'inserted', index: m.index, name: result.name } : { type: 'failed', index: m.index };
            void panel.webview.postMessage(answer);
        });
        panel.title = title;
        panel.webview.html = challengeHtml(report, title, panel.webview.cspSource, randomBytes(16).toString('base64'));
    }

    dispose(): void {
        for (const { panel } of this.panels.values()) panel.dispose();
        this.panels.clear();
    }
}
