// The editor's `hyp.numericBudget` over the protocol: the language server pulls it with
// workspace/configuration (at start and on a change notification without it) or takes it pushed,
// raises the numeric pass's bounds by it and revalidates; numeric-pass-skipped names the setting,
// not the CLI's flag; a value the pass cannot use is an error on the model line, never the default
// unseen; a client that does not answer workspace/configuration keeps the default. The case is
// the CLI's (test/cli/numeric-budget.test.ts): CumSum over 160 elements, 160 claimed parent parts,
// over the 128 a file by default and within twice that.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'langium';
import { afterAll, describe, expect, it } from 'vitest';
import { HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { removeInertCases, wideCumsumHyp, writeWideCumsumCase } from '../fixtures/inert-models.js';
import { startServer, type TestClient } from './lsp-client.js';

const WIDTH = 160;
const clients: TestClient[] = [];

afterAll(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
    removeInertCases();
});

/** A fresh copy of the case: its document's URI and text, to open after waiting for its diagnostics. */
function wideCase(): { uri: string; text: string } {
    const file = join(writeWideCumsumCase(WIDTH), 'wide.hyp');
    const text = wideCumsumHyp(WIDTH);
    writeFileSync(file, text);
    return { uri: URI.file(file).toString(), text };
}

const withCode = (code: string) => (d: Diagnostic[]) => d.filter(x => x.code === code);
const skipped = withCode('numeric-pass-skipped');
const inert = withCode('edge-numerically-inert');
const invalid = withCode('numeric-budget-setting-invalid');

describe('hyp.numericBudget', () => {
    it('reaches the numeric pass: budget 1 skips the claimed edges naming the setting, 2 (pulled) tests them, pushed back to 1 skips again', async () => {
        const client = await startServer({}, true, {}, null, { hyp: {} });
        clients.push(client);
        const published = (uri: string, accept: (d: Diagnostic[]) => boolean) => client.diagnostics(uri, accept, 60_000);
        const { uri, text } = wideCase();
        const first = published(uri, d => skipped(d).length > 0);
        client.open(uri, text);
        const [skip] = skipped(await first);
        expect(skip.severity).toBe(3);
        expect(skip.message).toMatch(/left 160 claimed edges \(input\.z0 -> A\.a0, .* … 152 more\) untested/);
        expect(skip.message).toContain('setting `hyp.numericBudget` to 2 (2 times the default parts and work bounds) tests them');
        expect(skip.message).not.toMatch(/--numeric-budget|the editor keeps/);

        // Changed in the client, announced without the settings: the server asks for them.
        client.settings!.hyp = { numericBudget: 2 };
        const tested = published(uri, d => inert(d).length > 0);
        client.changedConfiguration(null);
        const raised = await tested;
        // A[0] = x[0]: every claimed parent but input.z0 never moved it.
        expect(inert(raised)).toHaveLength(WIDTH - 1);
        expect(raised.filter(d => String(d.code).startsWith('numeric-'))).toEqual([]);
        expect(raised.map(d => d.message).join('\n')).not.toMatch(/input\.z0 never moved/);

        // Pushed (as the VS Code client does): the plan under the defaults again.
        const back = published(uri, d => skipped(d).length > 0);
        client.changedConfiguration({ hyp: { numericBudget: 1 } });
        expect(skipped(await back)[0].message).toContain('setting `hyp.numericBudget` to 2');
    }, 120_000);

    it('refuses a value it cannot use with an error on the model line naming the setting and the value, and runs no pass meanwhile', async () => {
        const client = await startServer({}, true, {}, null, { hyp: { numericBudget: 2 } });
        clients.push(client);
        const { uri, text } = wideCase();
        const tested = client.diagnostics(uri, d => inert(d).length > 0, 60_000);
        client.open(uri, text);
        expect(inert(await tested)).toHaveLength(WIDTH - 1);
        for (const bad of [0, 2000, 1.5, 'x']) {
            const refused = client.diagnostics(uri, d => invalid(d).some(x => String(x.message).includes(`(got ${JSON.stringify(bad)})`)), 60_000);
            client.changedConfiguration({ hyp: { numericBudget: bad } });
            const diagnostics = await refused;
            const [error] = invalid(diagnostics);
            expect(error.severity).toBe(1);
            expect(error.range.start).toEqual({ line: 0, character: 6 });
            expect(error.message).toBe(`the setting hyp.numericBudget must be an integer from 1 to 1024 (got ${JSON.stringify(bad)}). Until it is, the numeric pass over part-level edges does not run (nor on the default bounds instead): a missing edge-numerically-inert warning means "not tested"`);
            // Not the default's answer either: no skipped, no inert.
            expect(skipped(diagnostics)).toEqual([]);
            expect(inert(diagnostics)).toEqual([]);
        }
        // Fixed: the error goes, the pass's answer (cached for these queries) comes back.
        const fixed = client.diagnostics(uri, d => invalid(d).length === 0 && inert(d).length > 0, 60_000);
        client.changedConfiguration({ hyp: { numericBudget: 2 } });
        expect(inert(await fixed)).toHaveLength(WIDTH - 1);
    }, 120_000);

    it('a client that says it answers workspace/configuration and does not keeps the default, logged, and the server keeps serving', async () => {
        const client = await startServer({}, true, { workspace: { configuration: true } });
        clients.push(client);
        const { uri, text } = wideCase();
        const first = client.diagnostics(uri, d => skipped(d).length > 0, 60_000);
        client.open(uri, text);
        expect(skipped(await first)[0].message).toContain('setting `hyp.numericBudget` to 2');
        // A change notification without settings: the pull fails again, and nothing else does.
        client.changedConfiguration(null);
        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 8 } });
        expect(hover).not.toBeUndefined();
        expect(client.logged.map(l => l.message).filter(m => m.includes('workspace/configuration')))
            .toEqual(expect.arrayContaining([expect.stringMatching(/^the client did not answer workspace\/configuration \(.*\): the hyp settings keep their defaults$/)]));
    }, 120_000);
});
