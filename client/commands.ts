// The extension's commands. Each asks the server and shows its answer: the server owns the jobs,
// the results and the worker; the client never computes or caches a result itself.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { ExploreCommands, type ChallengeReply } from '../language/communication/explore-commands.js';
import type { ScrubResult } from '../engine/result.js';
import { HypCommands, HypRpc, type InsertBelowParams, type LensCommandArgs, type ResultView } from '../language/communication/rpc.js';
import { INSERT_REFINEMENT_COMMAND, type ChallengePanels } from './challenge-panel.js';
import { graphMarkdown, graphPageHtml } from './graph-markdown.js';
import { hypothesisAt, hypothesisNames } from './hypothesis-at.js';
import type { HypothesisGraphPanels } from './hypothesis-graph-panel.js';
import { resultHtml } from './result-html.js';
import { sendRpcRequest } from './rpc-client.js';

/** Registers every command; `workerLog` is the channel `hyp.showLog` reveals, `graphs` the hypothesis graph views, `challenges` the challenge views. */
export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient, workerLog: vscode.OutputChannel, graphs: HypothesisGraphPanels,
    challenges: ChallengePanels): void {
    const register = (id: string, fn: (args?: LensCommandArgs) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

    register(HypCommands.scrub, async args => {
        const target = await resolveTarget(args, true);
        if (!target?.hypothesis) return;
        const accepted = await sendRpcRequest(client, HypRpc.scrub, { uri: target.uri, hypotheses: [target.hypothesis], rerun: args?.rerun ?? false });
        if (accepted.refused) void vscode.window.showWarningMessage(`Cannot scrub: ${accepted.refused}`);
    });
    register(HypCommands.scrubAll, async args => {
        const target = await resolveTarget(args, false);
        if (!target) return;
        const accepted = await sendRpcRequest(client, HypRpc.scrub, { uri: target.uri, rerun: args?.rerun ?? false });
        if (accepted.refused) void vscode.window.showWarningMessage(`Cannot scrub: ${accepted.refused}`);
    });
    register(HypCommands.cancel, async args => {
        // From the palette: everything; from a lens: that hypothesis.
        const n = await sendRpcRequest(client, HypRpc.cancel, args?.uri ? { uri: args.uri, hypothesis: args.hypothesis } : {});
        vscode.window.setStatusBarMessage(n ? `Hyp: cancelled ${n} scrub job${n > 1 ? 's' : ''}` : 'Hyp: nothing to cancel', 3000);
    });
    register(HypCommands.showResult, async args => {
        const target = await resolveTarget(args, true);
        if (!target?.hypothesis) return;
        const view = await sendRpcRequest(client, HypRpc.result, { uri: target.uri, hypothesis: target.hypothesis }) as ResultView<ScrubResult> | null;
        if (!view) {
            void vscode.window.showInformationMessage(`"${target.hypothesis}" has not been scrubbed yet.`);
            return;
        }
        const title = `Scrub: ${target.hypothesis}`;
        const panel = vscode.window.createWebviewPanel('hyp.result', title, vscode.ViewColumn.Beside, { enableScripts: false });
        panel.webview.html = resultHtml(view, title, panel.webview.cspSource);
    });
    register(HypCommands.showGraph, async args => {
        const target = await resolveTarget(args, false);
        if (!target) return;
        const view = await sendRpcRequest(client, HypRpc.graph, { uri: target.uri, hypothesis: target.hypothesis });
        // Rendered by VS Code's own markdown extension into a read-only page (an untitled document would ask to be saved).
        const rendered = await vscode.commands.executeCommand<string>('markdown.api.render', graphMarkdown(view));
        const panel = vscode.window.createWebviewPanel('hyp.graph', `Model graph${target.hypothesis ? `: ${target.hypothesis}` : ''}`, vscode.ViewColumn.Beside, { enableScripts: false });
        panel.webview.html = graphPageHtml(rendered, panel.webview.cspSource);
    });
    register(HypCommands.showHypothesisGraph, async args => {
        const target = await resolveTarget(args, true, 'Hypothesis to draw');
        if (target?.hypothesis) graphs.show(target.uri, target.hypothesis);
    });
    register(HypCommands.showLog, () => workerLog.show(true));
    // The exploration commands run in the server (it queues them on the scrub worker and shows their
    // progress): forwarded as they are. Discover's block is inserted by the server (workspace/
    // applyEdit); a challenge comes back as a ChallengeReply (the client announced the challenge
    // view capability) and is shown in its view, whose Insert buttons run hyp.insertRefinement.
    for (const command of [ExploreCommands.discover, ExploreCommands.challenge]) {
        register(command, async args => {
            const target = await resolveTarget(args, true, command === ExploreCommands.discover ? 'Hypothesis to start from' : 'Hypothesis to challenge');
            if (!target?.hypothesis) return;
            const reply: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [{ uri: target.uri, hypothesis: target.hypothesis }] });
            // Refusals and failures were shown by the server (window/showMessage).
            if (command === ExploreCommands.challenge && isDone(reply)) challenges.show(reply);
        });
    }
    register(INSERT_REFINEMENT_COMMAND, async args => {
        const params = args as InsertBelowParams | undefined;
        if (!params?.uri || !params.hypothesis || typeof params.text !== 'string' || typeof params.name !== 'string') {
            void vscode.window.showInformationMessage('Insert a refinement from the Insert button of a challenge view.');
            return undefined;
        }
        const result = await sendRpcRequest(client, HypRpc.insertBelow, params);
        if (!result.applied) void vscode.window.showWarningMessage(`Cannot insert ${params.name}: ${result.problem ?? 'the edit was not applied'}`);
        return result;
    });
}

/** The document and hypothesis a command is about: the lens's arguments, else the active editor's cursor (else a pick). */
async function resolveTarget(args: LensCommandArgs | undefined, needHypothesis: boolean, placeHolder = 'Hypothesis to scrub'): Promise<{ uri: string; hypothesis?: string } | undefined> {
    if (args?.uri) return { uri: args.uri, hypothesis: args.hypothesis };
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'hyp') {
        void vscode.window.showInformationMessage('Open a .hyp file first.');
        return undefined;
    }
    const text = editor.document.getText();
    let hypothesis = hypothesisAt(text, editor.selection.active.line);
    if (!hypothesis && needHypothesis) {
        const names = hypothesisNames(text);
        hypothesis = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder });
        if (!hypothesis) return undefined;
    }
    return { uri: editor.document.uri.toString(), hypothesis };
}

/** A challenge's findings (the server answers a refusal or failure with another outcome). */
function isDone(reply: unknown): reply is Extract<ChallengeReply, { outcome: 'done' }> {
    return typeof reply === 'object' && reply !== null && (reply as { outcome?: unknown }).outcome === 'done';
}
