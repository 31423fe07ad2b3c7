// The exploration commands through the language server as a plain LSP client drives them (the real
// bundled server and worker on the toy model): a hypothesis offers "Find a smaller circuit from
// here" and "Challenge this hypothesis" as code actions; running one queues it on the scrub worker
// with work-done progress, and what it found is inserted below the hypothesis (workspace/applyEdit),
// except a challenge for a client that shows it in a view of its own (the VS Code extension).
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    ApplyWorkspaceEditRequest, CodeActionRequest, ExecuteCommandRequest, WorkDoneProgressCreateRequest,
    type ApplyWorkspaceEditParams, type CodeAction,
} from 'vscode-languageserver-protocol/node';
import { FLAG_RULE } from '../../engine/explore/challenge.js';
import { CHALLENGE_VIEW_CAPABILITY, ExploreCommands, type ChallengeReply } from '../../language/communication/explore-commands.js';
import { HypRpc, type InsertBelowResult } from '../../language/communication/rpc.js';
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

describe('a challenge for a client with the challenge view capability (the VS Code extension)', () => {
    it('answers with the findings and inserts nothing; hyp/insertBelow inserts a refinement, under a fresh name the second time', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-explore-view-'));
        for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
        const uri = URI.file(join(dir, 'toy.hyp')).toString();
        const client = await startServer({ vscodeExtension: true }, false, { workspace: { applyEdit: true }, experimental: { [CHALLENGE_VIEW_CAPABILITY]: true } });
        try {
            // The test applies each edit to its copy of the text, as an editor would, and sends it back.
            let text = toyText;
            const edits: ApplyWorkspaceEditParams[] = [];
            client.connection.onRequest(ApplyWorkspaceEditRequest.type, p => {
                edits.push(p);
                const [change] = p.edit.changes![uri];
                const lines = text.split('\n');
                const offset = lines.slice(0, change.range.start.line).reduce((n, l) => n + l.length + 1, 0) + change.range.start.character;
                text = text.slice(0, offset) + change.newText + text.slice(offset);
                client.change(uri, text);
                return { applied: true };
            });
            const published = client.diagnostics(uri);
            client.open(uri, toyText);
            await published;
            const reply = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.challenge, arguments: [{ uri, hypothesis: 'only_a' }] }) as ChallengeReply;
            expect(edits).toEqual([]);
            expect(reply.outcome).toBe('done');
            if (reply.outcome !== 'done') return;
            const { report } = reply;
            expect(reply.uri).toBe(uri);
            expect(reply.summary).toBe(`only_a: ${report.verdict}`);
            expect(report).toMatchObject({ hypothesis: 'only_a', rule: FLAG_RULE, flagged: report.verdict.startsWith('flagged') });
            expect(report.score.ci95[0]).toBeLessThanOrEqual(report.score.lossRecovered);
            expect(report.refinements.length).toBeGreaterThan(0);
            expect(report.refinements.length).toBeLessThanOrEqual(Math.min(4, report.scrubbedRefinements));
            const first = report.refinements[0];
            expect(first.name).toBe('only_a_refined1');
            expect(first.text).toContain('hypothesis only_a_refined1 extends only_a {');
            expect(first.drop).toBeCloseTo(report.score.lossRecovered - first.score.lossRecovered, 1);
            expect(report.refinements.map(r => r.drop)).toEqual([...report.refinements.map(r => r.drop)].sort((a, b) => b - a));
            // The view's Insert button: below only_a's closing brace.
            const closing = toyText.split('\n').findIndex((l, i) => i > toyText.split('\n').findIndex(x => x.startsWith('hypothesis only_a')) && l === '}');
            const inserted = await client.connection.sendRequest(HypRpc.insertBelow.method, { uri, hypothesis: 'only_a', name: first.name, text: first.text }) as InsertBelowResult;
            expect(inserted).toEqual({ applied: true, name: 'only_a_refined1' });
            expect(edits[0].edit.changes![uri][0]).toEqual({ range: { start: { line: closing, character: 1 }, end: { line: closing, character: 1 } }, newText: `\n\n${first.text}` });
            // Inserted again: the file has only_a_refined1 now, so the block is renamed.
            const again = await client.connection.sendRequest(HypRpc.insertBelow.method, { uri, hypothesis: 'only_a', name: first.name, text: first.text }) as InsertBelowResult;
            expect(again).toEqual({ applied: true, name: 'only_a_refined1_2' });
            expect(edits[1].edit.changes![uri][0].newText).toContain('hypothesis only_a_refined1_2 extends only_a {');
            const clean = client.diagnostics(uri);
            expect((await clean).filter(d => d.severity === 1)).toEqual([]);
            // A hypothesis that is gone, and a text that does not declare the name, insert nothing.
            expect(await client.connection.sendRequest(HypRpc.insertBelow.method, { uri, hypothesis: 'gone', name: first.name, text: first.text }))
                .toEqual({ applied: false, problem: 'the file has no hypothesis named "gone" any more' });
            expect(await client.connection.sendRequest(HypRpc.insertBelow.method, { uri, hypothesis: 'only_a', name: 'other', text: first.text }))
                .toEqual({ applied: false, problem: 'the text to insert declares no hypothesis named "other"' });
            expect(edits).toHaveLength(2);
            // Discover still inserts its block for this client.
            const summary = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'correct' }] });
            expect(summary).toMatch(/^correct_smaller: /);
            expect(edits[2].edit.changes![uri][0].newText).toContain('hypothesis correct_smaller {');
        } finally {
            await client.close();
        }
    });
});
