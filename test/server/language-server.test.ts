// The language server as an editor drives it: over stdio, through the protocol only.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionRequest, FileChangeType, HoverRequest, type CompletionList, type Diagnostic, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { readModelBytes, writeModel } from '../../engine/onnx/read.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';
import { CUMSUM_HYP, removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

const TOY = resolve(ROOT, 'examples/toy');
const toyText = readFileSync(join(TOY, 'toy.hyp'), 'utf8');
const errorsOf = (d: Diagnostic[]) => d.filter(x => x.severity === 1);

/** ONNX bytes with one tensor renamed wherever it is produced, read or declared. */
function renameTensor(bytes: Uint8Array, from: string, to: string): Uint8Array {
    const model = readModelBytes(bytes, 'toy_or.onnx');
    const rename = (n: string) => (n === from ? to : n);
    for (const node of model.graph!.node) {
        node.input = node.input.map(rename);
        node.output = node.output.map(rename);
    }
    for (const v of model.graph!.valueInfo) v.name = rename(v.name);
    return writeModel(model);
}

/** A copy of the toy folder, so documents (and the model) can change without touching examples/. */
function toyCopy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-ls-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
    return dir;
}

describe('hyp-language-server over stdio', () => {
    let client: TestClient;
    beforeAll(async () => {
        client = await startServer();
    });
    afterAll(async () => {
        await client.close();
        removeInertCases();
    });

    it('publishes no errors for examples/toy/toy.hyp, and registers a file watcher', async () => {
        const uri = URI.file(join(TOY, 'toy.hyp')).toString();
        const published = client.diagnostics(uri);
        client.open(uri, toyText);
        expect(errorsOf(await published)).toEqual([]);
        expect(client.registrations.map(r => r.method)).toContain('workspace/didChangeWatchedFiles');
    });

    it('a misspelled tensor name gets an error that names the right tensor', async () => {
        const uri = URI.file(join(TOY, 'misspelled.hyp')).toString();
        const published = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.open(uri, toyText.replace('node B = "B"', 'node B = "b"'));
        const errors = errorsOf(await published);
        expect(errors.map(e => e.code)).toContain('tensor-unknown');
        expect(errors.find(e => e.code === 'tensor-unknown')!.message).toContain('"B"');
    });

    it('two I nodes on one G node get an injectivity error pointing at the other', async () => {
        const uri = URI.file(join(TOY, 'injective.hyp')).toString();
        const published = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.open(uri, toyText.replace('node b -> B = z[1] > 3  <- input.z2', 'node b -> A = z[1] > 3  <- input.z1'));
        const errors = errorsOf(await published).filter(e => e.code === 'correspondence-not-injective');
        expect(errors.length).toBeGreaterThanOrEqual(2);
        expect(errors[0].message).toMatch(/both correspond to A: the correspondence must be injective/);
        expect(errors[0].relatedInformation?.[0].message).toMatch(/also corresponds to A/);
    });

    it('hover on an I node gives its feature agreement counts', async () => {
        const uri = URI.file(join(TOY, 'toy.hyp')).toString();
        const line = toyText.split('\n').findIndex(l => l.includes('node a -> A = z[0] > 3'));
        const character = toyText.split('\n')[line].indexOf('a ->');
        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
        const text = (hover!.contents as MarkupContent).value;
        expect(text).toMatch(/Feature agreement over \d+ examples: \*\*2 classes\*\*/);
        expect(text).toMatch(/Top values: `false` × \d+, `true` × \d+/);
        // A reads z1 alone (part-level G): z2 and z3 are not its G-parents, so nothing is left to resample.
        expect(text).toContain('G-parents of `A` claimed: `input.z1`; resampled as unimportant: none');
    });

    it('a raw torch export gets real shapes from a run in a child process: a hook without the batch axis is an error, a hover shows the shape', async () => {
        const dir = resolve(ROOT, 'examples/torch-export');
        const text = readFileSync(join(dir, 'tiny_gpt.hyp'), 'utf8').replace('graph {', 'graph {\n    node P = "/pos/Gather_output_0"');
        const uri = URI.file(join(dir, 'probe.hyp')).toString();
        const published = client.diagnostics(uri, d => d.some(x => x.code === 'tensor-not-per-example'));
        client.open(uri, text);
        const error = (await published).find(x => x.code === 'tensor-not-per-example')!;
        expect(error.range.start.line).toBe(text.split('\n').findIndex(l => l.includes('node P =')));
        expect(error.message).toMatch(/the first per-example tensor downstream is "\/Add_output_0"$/);
        const line = text.split('\n').findIndex(l => l.includes('node Z0 ='));
        const character = text.split('\n')[line].indexOf('/blocks');
        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
        expect((hover!.contents as MarkupContent).value).toContain('`float32 [batch, 4, 16, 8]`');
    });

    it('a claimed edge that only an op without a structural rule put in G, and that no perturbation moves, is a warning from the probe process', async () => {
        const dir = writeCumsumCase();
        const text = CUMSUM_HYP;
        const uri = URI.file(join(dir, 'inert.hyp')).toString();
        const published = client.diagnostics(uri, d => d.some(x => x.code === 'edge-numerically-inert'));
        client.open(uri, text);
        const warning = (await published).find(x => x.code === 'edge-numerically-inert')!;
        expect(warning.severity).toBe(2);
        expect(warning.range.start).toEqual({ line: 8, character: 32 });
        expect(warning.message).toMatch(/perturbing input\.z2 never moved A\.a0 in 32 trials/);
    });

    it('completion inside a tensor-name string lists the model tensors', async () => {
        const uri = URI.file(join(TOY, 'completion.hyp')).toString();
        const text = toyText.replace('node C = "C"', 'node C = ""');
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const line = text.split('\n').findIndex(l => l.includes('node C = ""'));
        const character = text.split('\n')[line].indexOf('""') + 1;
        const list = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } }) as CompletionList;
        const labels = list.items.map(i => i.label);
        expect(labels).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']));
        expect(list.items.find(i => i.label === 'A')!.detail).toMatch(/^float32 \[.*\] · /);
    });

    it('changing the model on disk revalidates the documents that use it', async () => {
        const dir = toyCopy();
        const uri = URI.file(join(dir, 'toy.hyp')).toString();
        const first = client.diagnostics(uri);
        client.open(uri, readFileSync(join(dir, 'toy.hyp'), 'utf8'));
        expect(errorsOf(await first)).toEqual([]);
        // The same model with its tensor B renamed B_renamed: the hook point on "B" becomes unknown.
        const onnx = join(dir, 'toy_or.onnx');
        const bytes = readFileSync(onnx);
        writeFileSync(onnx, renameTensor(bytes, 'B', 'B_renamed'));
        const second = client.diagnostics(uri, d => errorsOf(d).length > 0);
        client.changedFiles([{ uri: URI.file(onnx).toString(), type: FileChangeType.Changed }]);
        const errors = errorsOf(await second);
        expect(errors.map(e => e.message)).toEqual([expect.stringContaining('no tensor "B" in the model')]);
        // Restoring it clears the errors again.
        writeFileSync(onnx, bytes);
        const third = client.diagnostics(uri, d => errorsOf(d).length === 0);
        client.changedFiles([{ uri: URI.file(onnx).toString(), type: FileChangeType.Changed }]);
        expect(errorsOf(await third)).toEqual([]);
    });
});

describe('hyp-language-server reading in the background, for a client without file watchers', () => {
    let client: TestClient;
    beforeAll(async () => {
        // Every file goes through the worker thread; the client cannot register watchers.
        client = await startServer({ backgroundLoadBytes: 0 }, false);
    });
    afterAll(async () => {
        await client.close();
    });

    it('validates once the model is read, then adds the slow checks, and watches the files itself', async () => {
        const dir = toyCopy();
        const uri = URI.file(join(dir, 'toy.hyp')).toString();
        const text = readFileSync(join(dir, 'toy.hyp'), 'utf8')
            .replace('node B = "B"', 'node B = "b"')
            .replace('node d -> D = a or b    <- a, b', 'node d -> D = a or b    <- a, b\n    node c -> C = z[5] <- input.z3');
        const loaded = client.diagnostics(uri, d => d.some(x => x.code === 'tensor-unknown'));
        client.open(uri, text);
        expect((await loaded).map(d => d.code)).toContain('tensor-unknown');
        // The feature of c indexes past the end of z: only evaluating it on the dataset (slow) finds that.
        const slow = await client.diagnostics(uri, d => d.some(x => x.code === 'feature-runtime'));
        expect(slow.find(x => x.code === 'feature-runtime')!.message).toMatch(/^this feature fails on dataset row 1 \(\S+\.jsonl:1\): /);
        expect(client.registrations.map(r => r.method)).not.toContain('workspace/didChangeWatchedFiles');
        // No didChangeWatchedFiles from this client: the server's own watcher sees the new dataset.
        const changed = client.diagnostics(uri, d => d.some(x => x.code === 'dataset-unreadable'));
        writeFileSync(join(dir, 'toy_or.jsonl'), 'not json\n');
        expect((await changed).find(x => x.code === 'dataset-unreadable')!.message).toMatch(/line 1/);
    });
});
