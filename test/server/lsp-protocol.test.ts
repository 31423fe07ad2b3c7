// The language server as a plain LSP client drives it (Neovim, Helix, Emacs: the command line and
// the capabilities of docs/editor-setup.md), through the protocol only.
import { copyFileSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    CancellationTokenSource, CodeActionRequest, HoverRequest, LSPErrorCodes, ResponseError, type Diagnostic, type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { until } from '../fixtures/polling.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const TOY = resolve(ROOT, 'examples/toy');
const toyText = readFileSync(join(TOY, 'toy.hyp'), 'utf8');
const errorsOf = (d: Diagnostic[]) => d.filter(x => x.severity === 1);

/** A copy of the toy folder (documents and files may change), the URI of its toy.hyp and that file's text. */
function toyCopy(files = ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']): { dir: string; uri: string } {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-lsp-'));
    for (const f of files) copyFileSync(join(TOY, f), join(dir, f));
    return { dir, uri: URI.file(join(dir, 'toy.hyp')).toString() };
}

/** `n` copies of the toy's hypothesis `correct`, renamed: a document that takes a while to validate. */
function manyHypotheses(n: number): string {
    const correct = /hypothesis correct \{[^}]*\}/.exec(toyText)![0];
    return Array.from({ length: n }, (_, i) => correct.replace('correct', `copy${i}`)).join('\n');
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
