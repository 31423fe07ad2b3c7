// The end-to-end scenarios of test/e2e, for @vscode/test-electron (`node .vscode-test.mjs` on a
// machine that can download VS Code): driven through the VS Code API instead of the browser.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HypExtensionApi } from '../../client/extension.js';
import { alive, until as poll } from '../fixtures/polling.js';

/** Polls every 100 ms, for a minute unless told otherwise. */
const until = <T>(f: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000) => poll(f, what, timeoutMs, 100);

async function lensTitles(uri: vscode.Uri, hypothesis: string): Promise<string[]> {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return lenses.filter(l => (l.command?.arguments?.[0] as { hypothesis?: string })?.hypothesis === hypothesis).map(l => l.command!.title);
}

async function runLens(uri: vscode.Uri, hypothesis: string, title: RegExp): Promise<void> {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find(l => (l.command?.arguments?.[0] as { hypothesis?: string })?.hypothesis === hypothesis && title.test(l.command!.title));
    assert.ok(lens?.command, `no lens ${title} for ${hypothesis}`);
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
}

/** Entry point @vscode/test-electron calls in the extension host. */
export async function run(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const uri = vscode.Uri.joinPath(folder, 'toy.hyp');
    const editor = await vscode.window.showTextDocument(uri);
    const api = await vscode.extensions.getExtension<HypExtensionApi>('hyp-dev.hyp')!.activate();
    const config = vscode.workspace.getConfiguration('hyp');

    // toy.hyp: no problems.
    await until(async () => ((await lensTitles(uri, 'correct'))[0] === '▶ Scrub' ? true : undefined), 'the ▶ Scrub lens');
    assert.deepEqual(vscode.languages.getDiagnostics(uri), []);

    // A misspelled tensor name: an error with the suggestion.
    const text = editor.document.getText();
    const at = editor.document.positionAt(text.indexOf('node D = "D"') + 'node D = "D'.length);
    await editor.edit(e => e.insert(at, 'x'));
    const error = await until(() => vscode.languages.getDiagnostics(uri).find(d => d.severity === vscode.DiagnosticSeverity.Error), 'the error');
    assert.match(error.message, /no tensor "Dx" in the model; did you mean "D"\?/);
    await vscode.commands.executeCommand('undo');
    await until(() => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined), 'the error to clear');

    // Hover on an I node: agreement counts.
    const node = editor.document.positionAt(text.indexOf('node a -> A = z[0] > 3') + 'node '.length);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, node);
    const hoverText = hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(hoverText, /Feature agreement over \d+ examples: \*\*2 classes\*\*/);

    // ▶ Scrub: the loss recovered in the lens.
    await runLens(uri, 'correct', /▶ Scrub/);
    const done = await until(async () => (await lensTitles(uri, 'correct')).find(t => t.startsWith('loss recovered')), 'the result');
    assert.match(done, /^loss recovered 100\.0% \(95% CI 100\.0–100\.0\)/);

    // Cancel a long run: the worker is gone.
    await config.update('samples', 200_000, vscode.ConfigurationTarget.Workspace);
    await runLens(uri, 'only_a', /▶ Scrub/);
    const pid = await until(async () => (await api.workerPid()) ?? undefined, 'the worker');
    await runLens(uri, 'only_a', /Cancel/);
    await until(() => (alive(pid) ? undefined : true), 'the worker to exit', 2000);

    // Kill the worker from outside: an error, then a working ▶ Scrub.
    await runLens(uri, 'only_a', /▶ Scrub/);
    const second = await until(async () => (await api.workerPid()) ?? undefined, 'the worker');
    process.kill(second, 'SIGKILL');
    await until(async () => ((await lensTitles(uri, 'only_a'))[0]?.includes('scrub failed') ? true : undefined), 'the failure lens');
    await config.update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    await runLens(uri, 'only_a', /Retry/);
    await until(async () => (await lensTitles(uri, 'only_a')).find(t => t.startsWith('loss recovered')), 'the result after the crash');
}
