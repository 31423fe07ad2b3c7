// The language server as a plain LSP client drives it (Neovim, Helix, Emacs: the command line and
// the capabilities of docs/editor-setup.md), through the protocol only.
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    CancellationTokenSource, CodeActionRequest, FileChangeType, CodeLensRefreshRequest, CodeLensRequest, CompletionRequest, ErrorCodes, ExecuteCommandRequest,
    HoverRequest, LSPErrorCodes, MessageType, ResponseError, WorkDoneProgressCreateRequest, WorkspaceSymbolRequest,
    type ClientCapabilities, type CodeAction, type CodeLens, type CompletionItem, type CompletionList, type Diagnostic, type MarkupContent, type Position, type Range,
    type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol/node';
import { ExploreCommands } from '../../language/communication/explore-commands.js';
import { HypCommands } from '../../language/communication/rpc.js';
import { until } from '../fixtures/polling.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const TOY = resolve(ROOT, 'examples/toy');
const toyText = readFileSync(join(TOY, 'toy.hyp'), 'utf8');
const errorsOf = (d: Diagnostic[]) => d.filter(x => x.severity === 1);

/** A copy of the toy folder (documents and files may change) and the URI of its toy.hyp. */
function toyCopy(files = ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']): { dir: string; uri: string } {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-lsp-'));
    for (const f of files) copyFileSync(join(TOY, f), join(dir, f));
    return { dir, uri: URI.file(join(dir, 'toy.hyp')).toString() };
}

/**
 * What a minimal editor client says it can do, as Neovim's built-in client does on Linux: work-done
 * progress and code lens refresh, no dynamic file-watcher registration (docs/editor-setup.md).
 */
const MINIMAL_CAPABILITIES: ClientCapabilities = {
    window: { workDoneProgress: true, showMessage: {} },
    workspace: { codeLens: { refreshSupport: true }, executeCommand: {}, symbol: {} },
};

/** `n` copies of the toy's hypothesis `correct`, renamed: a document that takes a while to validate. */
function manyHypotheses(n: number): string {
    const correct = /hypothesis correct \{[^}]*\}/.exec(toyText)![0];
    return Array.from({ length: n }, (_, i) => correct.replace('correct', `copy${i}`)).join('\n');
}

/** The code lens titles the server gives one hypothesis of a document. */
async function lensTitles(client: TestClient, uri: string, hypothesis: string): Promise<string[]> {
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }) as CodeLens[];
    return lenses.filter(l => (l.command?.arguments?.[0] as { hypothesis?: string } | undefined)?.hypothesis === hypothesis).map(l => l.command!.title);
}

/** The error a request was answered with (fails the test when it was answered with a result). */
async function errorOf(request: Promise<unknown>): Promise<ResponseError<unknown>> {
    try {
        const result = await request;
        throw new Error(`expected an error response, got the result ${JSON.stringify(result)}`);
    } catch (e) {
        if (e instanceof ResponseError) return e;
        throw e;
    }
}

describe('errors are error responses', () => {
    let client: TestClient;
    beforeAll(async () => {
        client = await startServer({}, false);
    });
    afterAll(async () => {
        await client.close();
    });

    it('a hover on a document that was never opened is an error response, not a result', async () => {
        const uri = URI.file(join(TOY, 'never-opened.hyp')).toString();
        const error = await errorOf(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } }));
        expect(error.code).toBe(LSPErrorCodes.ServerCancelled);
        expect(error.message).toBe(`No document found for URI: ${uri}`);
    });

    it('a request the client cancels while the document is being rebuilt is answered with RequestCancelled', async () => {
        const uri = URI.file(join(TOY, 'cancelled.hyp')).toString();
        const published = client.diagnostics(uri);
        client.open(uri, toyText);
        await published;
        // The edit makes the document wait for a rebuild (long enough, with 200 more hypotheses, that the
        // builder yields to the connection); code actions wait for its validation.
        client.change(uri, `${toyText}\n${manyHypotheses(200)}`);
        const source = new CancellationTokenSource();
        const request = client.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] },
        }, source.token);
        source.cancel();
        const error = await errorOf(request);
        expect(error.code).toBe(LSPErrorCodes.RequestCancelled);
        expect(error.message).toBe('The request has been cancelled.');
    });
});

describe('a client that says it supports progress but does not create one', () => {
    it('still scrubs: the lens shows the loss recovered (every scrub failed with "Unhandled method window/workDoneProgress/create")', async () => {
        const { uri } = toyCopy();
        // No handler for window/workDoneProgress/create: the request is answered with an error.
        const client = await startServer({}, false, { ...MINIMAL_CAPABILITIES, window: { workDoneProgress: true, showMessage: {} } });
        try {
            const opened = client.diagnostics(uri);
            client.open(uri, toyText);
            await opened;
            await client.connection.sendRequest(ExecuteCommandRequest.type, { command: HypCommands.scrub, arguments: [{ uri, hypothesis: 'identity' }] });
            const title = await until(async () => (await lensTitles(client, uri, 'identity')).find(t => /^(loss recovered|scrub failed)/.test(t)),
                'the identity lens to show an outcome', 60_000);
            expect(title).toMatch(/^loss recovered 100\.0% \(95% CI 100\.0–100\.0\)/);
        } finally {
            await client.close();
        }
    });
});

describe('the workspace is the open documents', () => {
    it('a .hyp file in the workspace folder that is not open gets no diagnostics; opened, it does', async () => {
        const { dir } = toyCopy();
        const broken = URI.file(join(dir, 'broken.hyp')).toString();
        writeFileSync(join(dir, 'broken.hyp'), toyText.replace('node D = "D"', 'node D = "Dx"'));
        const client = await startServer({}, true, {}, [{ uri: URI.file(dir).toString(), name: 'toy' }]);
        try {
            const other = URI.file(join(dir, 'toy.hyp')).toString();
            const opened = client.diagnostics(other);
            client.open(other, toyText);
            expect(errorsOf(await opened)).toEqual([]);
            // A change of the model they share revalidates the documents that use it: the open one only.
            const revalidated = client.diagnostics(other);
            client.changedFiles([{ uri: URI.file(join(dir, 'toy_or.onnx')).toString(), type: FileChangeType.Changed }]);
            await revalidated;
            expect(client.published.get(broken)).toBeUndefined();
            const reported = client.diagnostics(broken, d => errorsOf(d).length > 0);
            client.open(broken, readFileSync(join(dir, 'broken.hyp'), 'utf8'));
            expect(errorsOf(await reported).map(d => d.code)).toEqual(['tensor-unknown']);
        } finally {
            await client.close();
        }
    });
});

describe('documents as a client without file watchers opens, edits and closes them', () => {
    let client: TestClient;
    beforeAll(async () => {
        client = await startServer({}, false);
    });
    afterAll(async () => {
        await client.close();
    });

    it('closing a modified document publishes an empty diagnostic list for it', async () => {
        const { uri } = toyCopy();
        const opened = client.diagnostics(uri);
        client.open(uri, toyText);
        expect(errorsOf(await opened)).toEqual([]);
        const edited = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.change(uri, toyText.replace('node D = "D"', 'node D = "Dx"'));
        expect(errorsOf(await edited).map(d => d.code)).toEqual(['tensor-unknown']);
        const cleared = client.diagnostics(uri);
        client.closeDocument(uri);
        expect(await cleared).toEqual([]);
    });

    it('a model created where it was missing is seen by the server\'s own watcher: the error goes without an edit', async () => {
        const { dir, uri } = toyCopy(['toy_or.jsonl', 'toy.hyp']);
        const missing = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.open(uri, toyText);
        const errors = errorsOf(await missing);
        expect(errors.map(d => d.code)).toEqual(['model-unreadable']);
        expect(errors[0].message).toContain('file not found');
        // Written elsewhere and renamed into place, as editors and tools save.
        const fixed = client.diagnostics(uri, d => errorsOf(d).length === 0);
        copyFileSync(join(TOY, 'toy_or.onnx'), join(dir, 'toy_or.onnx.tmp'));
        renameSync(join(dir, 'toy_or.onnx.tmp'), join(dir, 'toy_or.onnx'));
        expect(errorsOf(await fixed)).toEqual([]);
    });

    it('typing a file from its first character never takes the server down', async () => {
        const { uri } = toyCopy();
        client.open(uri, '');
        // Every prefix of the declarations (model, dataset, graph), as a client sends them while the
        // user types, then the rest of the file.
        const declarations = toyText.indexOf('metric');
        for (let i = 1; i <= declarations; i++) client.change(uri, toyText.slice(0, i));
        client.change(uri, toyText);
        await client.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] },
        });
        expect(await until(() => (client.published.get(uri)?.length === 0 ? true : undefined), 'the finished file to have no diagnostics')).toBe(true);
        const line = toyText.split('\n').findIndex(l => l.includes('node D = "D"'));
        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 9 } });
        expect((hover?.contents as MarkupContent).value).toContain('**G node `D`** (hook point)');
    });
});

/** Whether `p` lies in `text` (a line of it, at most at its end). */
function inText(lines: string[], p: Position): boolean {
    return p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length;
}

/** Every LSP range ({ start, end } positions) anywhere in an answer. */
function rangesIn(value: unknown): Range[] {
    if (typeof value !== 'object' || value === null) return [];
    const v = value as Record<string, unknown>;
    const isPosition = (p: unknown) => typeof p === 'object' && p !== null && typeof (p as Position).line === 'number' && typeof (p as Position).character === 'number';
    if (isPosition(v.start) && isPosition(v.end)) return [v as unknown as Range];
    return Object.values(v).flatMap(rangesIn);
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);

/** A range problem of an answer at `at`, or undefined: inside the text, ordered, around the position. */
function rangeProblem(lines: string[], range: Range, at: Position, what: string): string | undefined {
    if (!inText(lines, range.start) || !inText(lines, range.end)) return `${what} range ${JSON.stringify(range)} leaves the file`;
    if (!before(range.start, range.end)) return `${what} range ${JSON.stringify(range)} ends before it starts`;
    if (!before(range.start, at) || !before(at, range.end)) return `${what} range ${JSON.stringify(range)} does not contain the position`;
    return undefined;
}

describe('a plain client with the capabilities of docs/editor-setup.md', () => {
    let client: TestClient;
    const progress: { token: string | number; value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd }[] = [];
    const created: (string | number)[] = [];
    let refreshes = 0;
    const { uri } = toyCopy();
    const lines = toyText.split('\n');
    const lenses = async () => (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }) as CodeLens[]);
    const lensesOf = async (hypothesis: string) => (await lenses()).filter(l => (l.command?.arguments?.[0] as { hypothesis?: string }).hypothesis === hypothesis);
    const titles = (hypothesis: string) => lensTitles(client, uri, hypothesis);
    const execute = (command: string, args: unknown[] = []) => client.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    const runLens = async (lens: CodeLens) => execute(lens.command!.command, lens.command!.arguments);

    beforeAll(async () => {
        client = await startServer({}, false, MINIMAL_CAPABILITIES);
        client.connection.onRequest(WorkDoneProgressCreateRequest.type, p => void created.push(p.token));
        client.connection.onRequest(CodeLensRefreshRequest.type, () => void refreshes++);
        client.connection.onNotification('$/progress', (p: (typeof progress)[number]) => void progress.push(p));
        const published = client.diagnostics(uri);
        client.open(uri, toyText);
        expect(errorsOf(await published)).toEqual([]);
    });
    afterAll(async () => {
        await client.close();
    });

    it('is offered the lens commands and workspace symbols', () => {
        const capabilities = client.initialized.capabilities;
        expect(capabilities.executeCommandProvider?.commands.sort()).toEqual([
            HypCommands.cancel, HypCommands.scrub, HypCommands.scrubAll, HypCommands.showLog, HypCommands.showResult,
            ExploreCommands.discover, ExploreCommands.challenge,
        ].sort());
        expect(capabilities.workspaceSymbolProvider).toBeTruthy();
        expect(capabilities.codeLensProvider).toBeTruthy();
    });

    it('hover at every position of toy.hyp: no error response, and every range around the position', async () => {
        const positions = lines.flatMap((l, line) => Array.from({ length: l.length + 1 }, (_, character) => ({ line, character })));
        const problems: string[] = [];
        let hovers = 0;
        await Promise.all(positions.map(async position => {
            try {
                const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
                if (!hover) return;
                hovers++;
                const problem = hover.range && rangeProblem(lines, hover.range, position, 'hover');
                if (problem) problems.push(`${position.line}:${position.character}: ${problem}`);
            } catch (e) {
                problems.push(`${position.line}:${position.character}: ${(e as Error).message}`);
            }
        }));
        expect(problems).toEqual([]);
        // Names, tensors, fields and builtins have hovers: a good part of the file.
        expect(hovers).toBeGreaterThan(200);
    });

    it('completion at every position of toy.hyp and past its end: no error response, and every edit inside the file around the position', async () => {
        const positions = [
            ...lines.flatMap((l, line) => Array.from({ length: l.length + 1 }, (_, character) => ({ line, character }))),
            { line: lines.length + 3, character: 0 }, { line: lines.length - 1, character: 200 }, { line: 3, character: 500 },
        ];
        const problems: string[] = [];
        let items = 0;
        await Promise.all(positions.map(async requested => {
            try {
                const answer = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: requested });
                const list = (Array.isArray(answer) ? answer : (answer as CompletionList | null)?.items ?? []) as CompletionItem[];
                items += list.length;
                // A position past the end of a line or of the file is read as the nearest position in the text.
                const position = inText(lines, requested) ? requested
                    : requested.line >= lines.length ? { line: lines.length - 1, character: lines.at(-1)!.length }
                    : { line: requested.line, character: lines[requested.line].length };
                for (const item of list) {
                    const edit = item.textEdit;
                    const range = edit && ('range' in edit ? edit.range : edit.replace);
                    const problem = range && rangeProblem(lines, range, position, `item "${item.label}"`);
                    if (problem) problems.push(`${requested.line}:${requested.character}: ${problem}`);
                }
            } catch (e) {
                problems.push(`${requested.line}:${requested.character}: ${(e as Error).message}`);
            }
        }));
        expect(problems.slice(0, 10)).toEqual([]);
        expect(items).toBeGreaterThan(1000);
    });

    it('every request at a position or range past the end of the file answers, with every range it returns inside the file', async () => {
        const td = { uri };
        const far = { start: { line: 2, character: 0 }, end: { line: lines.length + 10, character: 5 } };
        const options = { tabSize: 4, insertSpaces: true };
        const requests: [string, object][] = [{ line: lines.length + 4, character: 2 }, { line: 2, character: 300 }].flatMap(position => [
            ['textDocument/hover', { textDocument: td, position }], ['textDocument/definition', { textDocument: td, position }],
            ['textDocument/references', { textDocument: td, position, context: { includeDeclaration: true } }],
            ['textDocument/documentHighlight', { textDocument: td, position }], ['textDocument/prepareRename', { textDocument: td, position }],
            ['textDocument/rename', { textDocument: td, position, newName: 'q' }], ['textDocument/completion', { textDocument: td, position }],
            ['textDocument/onTypeFormatting', { textDocument: td, position, ch: '}', options }],
        ] as [string, object][]);
        requests.push(['textDocument/codeAction', { textDocument: td, range: far, context: { diagnostics: [] } }], ['textDocument/inlayHint', { textDocument: td, range: far }],
            ['textDocument/rangeFormatting', { textDocument: td, range: far, options }], ['textDocument/codeLens', { textDocument: td }]);
        const problems: string[] = [];
        for (const [method, params] of requests) {
            try {
                const answer = await client.connection.sendRequest(method, params);
                for (const range of rangesIn(answer)) {
                    if (!inText(lines, range.start) || !inText(lines, range.end)) problems.push(`${method} ${JSON.stringify(params)}: range ${JSON.stringify(range)} leaves the file`);
                }
            } catch (e) {
                problems.push(`${method} ${JSON.stringify(params)}: ${(e as Error).message}`);
            }
        }
        expect(problems).toEqual([]);
    });

    it('workspace/symbol finds the hypotheses, hook points and I nodes of the open file', async () => {
        const symbols = await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'only' });
        expect(symbols?.map(s => s.name)).toEqual(['only_a']);
        const nodes = await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'correct.' });
        expect(nodes?.map(s => [s.name, s.containerName])).toEqual([['a', 'correct'], ['b', 'correct'], ['d', 'correct']]);
    });

    it('the ▶ Scrub lens runs through workspace/executeCommand: work-done progress, a lens refresh, the result in the lens and a message', async () => {
        const [scrub] = await lensesOf('correct');
        // (A tooltip with the plan's size joins it once the slow checks have estimated it.)
        expect(scrub.command).toMatchObject({ title: '▶ Scrub', command: HypCommands.scrub, arguments: [{ uri, hypothesis: 'correct' }] });
        if (scrub.command?.tooltip !== undefined) expect(scrub.command.tooltip).toMatch(/^Plan: ≈ \d+ distinct requests? per root/);
        expect(await runLens(scrub)).toEqual({ jobs: [{ hypothesis: 'correct', state: 'running' }] });
        const shown = await until(() => client.shown.find(m => m.message.startsWith('correct: loss recovered')), 'the result message');
        expect(shown.type).toBe(MessageType.Info);
        expect(shown.message).toMatch(/^correct: loss recovered 100\.0% \(95% CI 100\.0–100\.0\) · 2,000 samples · \d+\.\d s · cpu$/);
        const [result, rerun] = await titles('correct');
        expect(result).toBe(shown.message.slice('correct: '.length));
        expect(rerun).toBe('↻ Rerun');
        expect(refreshes).toBeGreaterThan(0);
        // The job's progress: created by the server, begun with its title, ended.
        const token = progress.find(p => p.value.kind === 'begin')!.token;
        expect(created).toContain(token);
        expect(progress.filter(p => p.token === token).map(p => p.value.kind)).toEqual(expect.arrayContaining(['begin', 'end']));
        expect(progress.find(p => p.token === token && p.value.kind === 'begin')!.value).toMatchObject({ title: 'Scrubbing correct', cancellable: true });
        // The result lens's command shows the result in a message; the worker's log too.
        const text = await runLens((await lensesOf('correct'))[0]);
        expect(text).toMatch(/^correct: loss recovered 100\.0% .*\ncross_entropy: clean [\d.e-]+ \/ scrubbed [\d.e-]+ \/ random [\d.e-]+ · examples made worse 0\.0% \/ better 0\.0% · seed 0$/);
        expect(client.shown.at(-1)).toEqual({ type: MessageType.Info, message: text });
        // The same commands as code actions, for editors that show no code lenses.
        const header = lines.findIndex(l => l.startsWith('hypothesis correct'));
        const actions = await client.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri }, range: { start: { line: header + 1, character: 4 }, end: { line: header + 1, character: 4 } }, context: { diagnostics: [] },
        }) as CodeAction[];
        expect(actions.map(a => [a.title, a.command?.command])).toEqual([
            ['Show the scrub result of correct', HypCommands.showResult], ['Scrub correct again', HypCommands.scrub],
            ['Find a smaller circuit from here', ExploreCommands.discover], ['Challenge this hypothesis', ExploreCommands.challenge],
            ['Scrub every hypothesis of this file', HypCommands.scrubAll],
        ]);
        expect(await execute(HypCommands.showLog)).toMatch(/^Scrub worker log \(last \d+ lines\):\n.*worker started \(pid \d+\)/s);
        expect(client.logged.some(m => /worker started \(pid \d+\)/.test(m.message))).toBe(true);
    });

    it('■ Cancel stops a running scrub; the lens goes back and the progress ends', async () => {
        const long = toyText.replace('samples 2000', 'samples 200000');
        const edited = client.diagnostics(uri);
        client.change(uri, long);
        expect(errorsOf(await edited)).toEqual([]);
        expect(await titles('only_a')).toEqual(['▶ Scrub']);
        await runLens((await lensesOf('only_a'))[0]);
        const running = await until(async () => {
            const l = await lensesOf('only_a');
            return l[0]?.command?.title.startsWith('Scrubbing… ') ? l : undefined;
        }, 'the running lens');
        expect(running.map(l => [l.command!.title.replace(/\d+%$/, 'N%'), l.command!.command])).toEqual([['Scrubbing… N%', HypCommands.showLog], ['■ Cancel', HypCommands.cancel]]);
        expect(await runLens(running[1])).toBe(1);
        expect(client.shown.at(-1)).toEqual({ type: MessageType.Info, message: 'Cancelled 1 scrub job' });
        await until(() => client.logged.find(m => m.message === 'Scrubbing "only_a" cancelled'), 'the cancellation to be logged');
        expect(await titles('only_a')).toEqual(['▶ Scrub']);
        const token = progress.filter(p => p.value.kind === 'begin' && p.value.title === 'Scrubbing only_a').at(-1)!.token;
        await until(() => progress.find(p => p.token === token && p.value.kind === 'end'), 'the progress to end');
    });

    it('without arguments, hyp.scrubAll scrubs every open file and hyp.cancel cancels every job; hyp.scrub says what it takes', async () => {
        const error = await errorOf(execute(HypCommands.scrub));
        expect(error.code).toBe(ErrorCodes.InvalidParams);
        expect(error.message).toBe('hyp.scrub takes one argument { uri, hypothesis } (its code lens passes it); hyp.scrubAll scrubs every hypothesis of the open files');
        // The file asks for 200,000 samples since the last test: nothing finishes before the cancel.
        const started = await execute(HypCommands.scrubAll) as { uri: string; jobs: { hypothesis: string; state: string }[] }[];
        expect(started.map(f => [f.uri, f.jobs.map(j => j.hypothesis)])).toEqual([[uri, ['correct', 'only_a', 'nothing', 'wrong_b', 'identity']]]);
        expect(await execute(HypCommands.cancel)).toBe(5);
        expect(client.shown.at(-1)).toEqual({ type: MessageType.Info, message: 'Cancelled 5 scrub jobs' });
        expect(await execute(HypCommands.cancel)).toBe(0);
        expect(client.shown.at(-1)).toEqual({ type: MessageType.Info, message: 'Nothing to cancel' });
    });

    it('closing the file clears its diagnostics', async () => {
        const edited = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.change(uri, toyText.replace('node D = "D"', 'node D = "Dx"'));
        await edited;
        const cleared = client.diagnostics(uri);
        client.closeDocument(uri);
        expect(await cleared).toEqual([]);
    });
});
