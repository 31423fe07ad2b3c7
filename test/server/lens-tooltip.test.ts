// The ▶ Scrub lens's tooltip, through the protocol as a plain client sees it: once the slow checks
// have estimated a hypothesis's plan, its scrub lens says the plan's size, the same words as
// `hyp check` prints; a hypothesis with nothing to compute says so.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeLensRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { HypCommands } from '../../language/communication/rpc.js';
import { until } from '../fixtures/polling.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const TOY = resolve(ROOT, 'examples/toy');

describe('the ▶ Scrub lens tooltip', () => {
    let client: TestClient;
    const dir = mkdtempSync(join(tmpdir(), 'hyp-tooltip-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
    const uri = URI.file(join(dir, 'toy.hyp')).toString();

    beforeAll(async () => {
        client = await startServer({}, false, { window: { workDoneProgress: true, showMessage: {} }, workspace: { codeLens: { refreshSupport: true } } });
        const published = client.diagnostics(uri);
        client.open(uri, readFileSync(join(dir, 'toy.hyp'), 'utf8'));
        await published;
    });
    afterAll(async () => client.close());

    const lenses = async (hypothesis: string) => ((await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[])
        .filter(l => (l.command?.arguments?.[0] as { hypothesis?: string }).hypothesis === hypothesis);

    it('says the plan size once the slow checks have estimated it, in the words hyp check uses', async () => {
        const tooltip = await until(async () => (await lenses('correct')).find(l => l.command?.command === HypCommands.scrub)?.command?.tooltip,
            'the plan-size tooltip on correct\'s ▶ Scrub lens');
        expect(tooltip).toBe('Plan: ≈ 2 distinct requests per root (probe plan of 8 roots; by depth from the output: 1, 1).');
        const nothing = await until(async () => (await lenses('nothing')).find(l => l.command?.command === HypCommands.scrub)?.command?.tooltip,
            'the tooltip on nothing\'s lens');
        expect(nothing).toBe('Plan: no computed requests (every activation is a clean one: a forward pass per example; probe plan of 8 roots).');
    });
});
