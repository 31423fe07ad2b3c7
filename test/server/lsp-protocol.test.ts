// The language server as a plain LSP client drives it (Neovim, Helix, Emacs: the command line and
// the capabilities of docs/editor-setup.md), through the protocol only.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    CancellationTokenSource, CodeActionRequest, HoverRequest, LSPErrorCodes, ResponseError,
} from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const TOY = resolve(ROOT, 'examples/toy');
const toyText = readFileSync(join(TOY, 'toy.hyp'), 'utf8');

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
