// The hypothesis drawing through the language server, as the VS Code extension asks for it
// (hyp/drawing): the picture of the text as it is now, where each box is declared, and no
// picture but the reason when the file has errors.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeLensRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { HypCommands, HypRpc, type DrawingView, type ScrubFinished } from '../../language/communication/rpc.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';

const clients: TestClient[] = [];
afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
});

async function openToy(options: object = {}): Promise<{ client: TestClient; uri: string; text: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-draw-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(ROOT, 'examples/toy', f), join(dir, f));
    const uri = URI.file(join(dir, 'toy.hyp')).toString();
    const text = readFileSync(join(dir, 'toy.hyp'), 'utf8');
    const client = await startServer({ vscodeExtension: true, workspaceTrusted: true, ...options });
    clients.push(client);
    const clean = client.diagnostics(uri, d => d.every(x => x.severity !== 1));
    client.open(uri, text);
    await clean;
    return { client, uri, text };
}

const drawing = (client: TestClient, uri: string, hypothesis: string) =>
    client.connection.sendRequest(HypRpc.drawing.method, { uri, hypothesis }) as Promise<DrawingView>;

/** The 0-based line of the first line containing `needle` at or after the line containing `after`. */
function lineOf(text: string, needle: string, after = ''): number {
    const lines = text.split('\n');
    const start = lines.findIndex(l => l.includes(after));
    return lines.findIndex((l, i) => i >= start && l.includes(needle));
}

describe('the hypothesis drawing through the language server', () => {
    it('draws the hypothesis and says where each box is declared, inherited I nodes in their base', async () => {
        const { client, uri, text } = await openToy();
        const view = await drawing(client, uri, 'correct');
        expect(view.problem).toBeUndefined();
        expect(view.svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        expect(view.svg).toContain('>d = a or b<');
        expect(view.svg).toContain('>toy.hyp<');
        expect(view.locations?.['n:A']?.line).toBe(lineOf(text, 'node a -> A', 'hypothesis correct'));
        expect(view.locations?.['n:output']?.line).toBe(lineOf(text, 'output <- d', 'hypothesis correct'));
        expect(view.locations?.['n:C']?.line).toBe(lineOf(text, 'node C = "C"'));
        expect(view.locations?.['n:input.z2']?.line).toBe(lineOf(text, 'split input axis 1'));
        // wrong_b overrides b and inherits a: a click on A goes to correct's declaration, on B to wrong_b's.
        const wrong = await drawing(client, uri, 'wrong_b');
        expect(wrong.svg).toContain('>b = z[1] &gt; 1<');
        expect(wrong.locations?.['n:A']?.line).toBe(lineOf(text, 'node a -> A', 'hypothesis correct'));
        expect(wrong.locations?.['n:B']?.line).toBe(lineOf(text, 'node b -> B', 'hypothesis wrong_b'));
    });

    it('draws the text as it is when asked right after an edit, and gives the reason instead of a picture while the file has errors', async () => {
        const { client, uri, text } = await openToy();
        client.change(uri, text.replace('node d -> D = a or b    <- a, b', 'node d -> D = a and b   <- a, b'));
        const edited = await drawing(client, uri, 'correct');
        expect(edited.svg).toContain('>d = a and b<');
        client.change(uri, text.replace('node d -> D = a or b    <- a, b', 'node d -> D = a or bb   <- a, b'));
        const broken = await drawing(client, uri, 'correct');
        expect(broken.svg).toBeUndefined();
        expect(broken.problem).toMatch(/^the file has 1 error \(line \d+: .*bb/);
        client.change(uri, text);
        expect((await drawing(client, uri, 'nope')).problem).toBe('the file has no hypothesis "nope"');
    });

    it('colours each I node by its own effect once a scrub with node effects has finished', async () => {
        const { client, uri } = await openToy({ scrubSettings: { executionProvider: 'cpu', samples: 256, nodeEffects: true } });
        expect((await drawing(client, uri, 'only_a')).svg).not.toContain('with-effect');
        const finished = new Promise<ScrubFinished>(res => client.connection.onNotification(HypRpc.finished.method, (f: ScrubFinished) => res(f)));
        await client.connection.sendRequest(HypRpc.scrub.method, { uri, hypotheses: ['only_a'] });
        expect((await finished).outcome).toBe('done');
        const view = await drawing(client, uri, 'only_a');
        // a alone and d alone: two coloured claims, each with its percentage.
        expect(view.svg?.match(/<g class="claim with-effect">/g)).toHaveLength(2);
        expect(view.svg).toMatch(/alone: loss recovered \d+\.\d% \(95% CI/);
    });

    it('puts a ◇ Graph lens on every hypothesis for the VS Code extension', async () => {
        const { client, uri } = await openToy();
        const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }) as CodeLens[];
        const graph = lenses.filter(l => l.command?.title === '◇ Graph');
        expect(graph.map(l => (l.command!.arguments![0] as { hypothesis: string }).hypothesis)).toEqual(['correct', 'only_a', 'nothing', 'wrong_b', 'identity']);
        expect(graph.every(l => l.command!.command === HypCommands.showHypothesisGraph)).toBe(true);
    });
});

describe('clients other than VS Code', () => {
    it('get no ◇ Graph lens (they have no view to open)', async () => {
        const client = await startServer({ workspaceTrusted: true });
        clients.push(client);
        const uri = URI.file(resolve(ROOT, 'examples/toy/toy.hyp')).toString();
        const published = client.diagnostics(uri);
        client.open(uri, readFileSync(resolve(ROOT, 'examples/toy/toy.hyp'), 'utf8'));
        await published;
        const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }) as CodeLens[];
        expect(lenses.length).toBeGreaterThan(0);
        expect(lenses.some(l => l.command?.title.includes('Graph'))).toBe(false);
    });
});
