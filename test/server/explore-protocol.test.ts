// The exploration commands through the language server as a plain LSP client drives them (the real
// bundled server and worker on the toy model): a hypothesis offers "Find a smaller circuit from
// here" and "Challenge this hypothesis" as code actions; running one queues it on the scrub worker
// with work-done progress, and what it found is inserted below the hypothesis (workspace/applyEdit).
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    ApplyWorkspaceEditRequest, CodeActionRequest, ExecuteCommandRequest, WorkDoneProgressCreateRequest,
    type ApplyWorkspaceEditParams, type CodeAction,
} from 'vscode-languageserver-protocol/node';
import { ExploreCommands } from '../../language/communication/explore-commands.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const TOY = resolve(ROOT, 'examples/toy');
const toyText = readFileSync(join(TOY, 'toy.hyp'), 'utf8');

describe('exploration from the editor (a plain LSP client)', () => {
    let client: TestClient;
    const edits: ApplyWorkspaceEditParams[] = [];
    const progressTokens: unknown[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'hyp-explore-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
    const uri = URI.file(join(dir, 'toy.hyp')).toString();
    const lineOf = (text: string) => toyText.split('\n').findIndex(l => l.includes(text));

    beforeAll(async () => {
        client = await startServer({}, false, { window: { workDoneProgress: true, showMessage: {} }, workspace: { applyEdit: true } });
        client.connection.onRequest(ApplyWorkspaceEditRequest.type, p => {
            edits.push(p);
            return { applied: true };
        });
        client.connection.onRequest(WorkDoneProgressCreateRequest.type, p => void progressTokens.push(p.token));
        const published = client.diagnostics(uri);
        client.open(uri, toyText);
        await published;
    });
    afterAll(async () => client.close());

    it('offers both actions inside a hypothesis, with the hypothesis as argument', async () => {
        const line = lineOf('node b -> B = z[1] > 3');
        const actions = await client.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri }, range: { start: { line, character: 4 }, end: { line, character: 4 } }, context: { diagnostics: [] },
        }) as CodeAction[];
        const byTitle = new Map(actions.map(a => [a.title, a.command]));
        expect(byTitle.get('Find a smaller circuit from here')).toMatchObject({ command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'correct' }] });
        expect(byTitle.get('Challenge this hypothesis')).toMatchObject({ command: ExploreCommands.challenge, arguments: [{ uri, hypothesis: 'correct' }] });
    });

    it('"Find a smaller circuit from here" runs discover in the worker and inserts the block below the hypothesis', async () => {
        const summary = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'identity' }] }, undefined);
        expect(summary).toMatch(/^identity_smaller: 100\.0% \(95% CI 100\.0–100\.0\) with 5 of 7 I-edges \(\d+ scrubs, [\d.]+ s\)$/);
        expect(progressTokens.length).toBeGreaterThan(0);
        const edit = edits.at(-1)!;
        const [change] = edit.edit.changes![uri];
        // Below the hypothesis's closing brace, which is the last line of the file.
        const closing = toyText.trimEnd().split('\n').length - 1;
        expect(change.range.start).toEqual({ line: closing, character: 1 });
        expect(change.newText).toContain('// Found by hyp discover from identity: a removal is kept when the lower end of its 95% CI stays at or above 90%.');
        expect(change.newText).toContain('hypothesis identity_smaller {\n    node a -> A = z <- input.z1');
        expect(change.newText).toContain('//   c -> d: 100.0% (95% CI 100.0–100.0); nothing reads c any more');
        expect(client.shown.at(-1)?.message).toBe(summary);
    });

    it('"Challenge this hypothesis" inserts the verdict and the best refinements', async () => {
        const summary = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.challenge, arguments: [{ uri, hypothesis: 'only_a' }] }) as string;
        expect(summary).toMatch(/^only_a: (not flagged|flagged)/);
        const [change] = edits.at(-1)!.edit.changes![uri];
        const start = lineOf('hypothesis only_a');
        expect(change.range.start).toEqual({ line: start + toyText.split('\n').slice(start).findIndex(l => l === '}'), character: 1 });
        expect(change.newText).toMatch(/^\n\n\/\/ hyp challenge only_a: /);
        expect(change.newText).toContain('hypothesis only_a_refined1 extends only_a {');
    });
});

describe('exploration from the VS Code extension', () => {
    it('is offered as code actions and served on workspace/executeCommand although no command is advertised to it', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-explore-vscode-'));
        for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
        const uri = URI.file(join(dir, 'toy.hyp')).toString();
        const client = await startServer({ vscodeExtension: true }, false, { workspace: { applyEdit: true } });
        try {
            const edits: ApplyWorkspaceEditParams[] = [];
            client.connection.onRequest(ApplyWorkspaceEditRequest.type, p => {
                edits.push(p);
                return { applied: true };
            });
            const published = client.diagnostics(uri);
            client.open(uri, toyText);
            await published;
            expect(client.initialized.capabilities.executeCommandProvider?.commands ?? []).toEqual([]);
            const line = toyText.split('\n').findIndex(l => l.includes('node d -> D = a or b'));
            const actions = await client.connection.sendRequest(CodeActionRequest.type, {
                textDocument: { uri }, range: { start: { line, character: 4 }, end: { line, character: 4 } }, context: { diagnostics: [] },
            }) as CodeAction[];
            expect(actions.map(a => a.command?.command)).toEqual([ExploreCommands.discover, ExploreCommands.challenge]);
            const summary = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'correct' }] });
            expect(summary).toMatch(/^correct_smaller: 100\.0% \(95% CI 100\.0–100\.0\) with \d+ of 5 I-edges/);
            expect(edits[0].edit.changes![uri][0].newText).toContain('hypothesis correct_smaller {');
        } finally {
            await client.close();
        }
    });
});
