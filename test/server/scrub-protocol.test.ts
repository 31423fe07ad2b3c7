// Scrubbing through the language server as the VS Code client drives it (the protocol only, the
// real bundled server and worker on the toy model): the code lens from `▶ Scrub` to the loss
// recovered, the cache across a restart, stale results, a worker killed from outside, cancelling (a
// scrub, and an exploration job through its progress), deduplication, and workspace trust for a
// features module.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { URI } from 'langium';
import { afterEach, describe, expect, it } from 'vitest';
import {
    CodeLensRequest, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, ExecuteCommandRequest, type CodeLens, type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { ExploreCommands } from '../../language/communication/explore-commands.js';
import { HypRpc, type GraphView, type ScrubAccepted, type ScrubFinished, type ScrubInitializationOptions, type ScrubSettings } from '../../language/communication/rpc.js';
import { ROOT, startServer, type TestClient } from './lsp-client.js';
import { alive, until } from '../fixtures/polling.js';

const TOY = resolve(ROOT, 'examples/toy');

function toyCopy(): { dir: string; uri: string; text: string } {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-scrub-'));
    for (const f of ['toy_or.onnx', 'toy_or.jsonl', 'toy.hyp']) copyFileSync(join(TOY, f), join(dir, f));
    return { dir, uri: URI.file(join(dir, 'toy.hyp')).toString(), text: readFileSync(join(dir, 'toy.hyp'), 'utf8') };
}

interface ScrubClient extends TestClient {
    finished: ScrubFinished[];
    nextFinished(hypothesis: string, timeoutMs?: number): Promise<ScrubFinished>;
    lenses(uri: string, hypothesis: string): Promise<string[]>;
    scrub(uri: string, hypotheses?: string[], rerun?: boolean): Promise<ScrubAccepted>;
    workerPid(): Promise<number | null>;
}

const clients: TestClient[] = [];

async function start(options: ScrubInitializationOptions, progress = false): Promise<ScrubClient> {
    // As the VS Code extension initialises it: it runs the lens commands and renders codicons.
    const client = await startServer({ vscodeExtension: true, ...options }, true, progress ? { window: { workDoneProgress: true } } : {});
    clients.push(client);
    const finished: ScrubFinished[] = [];
    const waiters: { hypothesis: string; resolve: (f: ScrubFinished) => void }[] = [];
    client.connection.onNotification(HypRpc.finished.method, (f: ScrubFinished) => {
        finished.push(f);
        const w = waiters.find(x => x.hypothesis === f.hypothesis);
        if (w) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(f);
        }
    });
    return Object.assign(client, {
        finished,
        nextFinished: (hypothesis: string, timeoutMs = 60_000) => new Promise<ScrubFinished>((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no scrubFinished for ${hypothesis}`)), timeoutMs);
            waiters.push({ hypothesis, resolve: f => { clearTimeout(timer); res(f); } });
        }),
        lenses: async (uri: string, hypothesis: string) => {
            const all = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }) as CodeLens[];
            return all.filter(l => (l.command?.arguments?.[0] as { hypothesis?: string })?.hypothesis === hypothesis).map(l => l.command!.title);
        },
        scrub: (uri: string, hypotheses?: string[], rerun = false) => client.connection.sendRequest(HypRpc.scrub.method, { uri, hypotheses, rerun }) as Promise<ScrubAccepted>,
        workerPid: () => client.connection.sendRequest(HypRpc.workerPid.method, {}) as Promise<number | null>,
    });
}

const settings = (s: Partial<ScrubSettings>): Partial<ScrubSettings> => ({ executionProvider: 'cpu', samples: 256, ...s });

afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
});

describe('scrubbing through the language server', () => {
    it('advertises no command to the VS Code extension, which registers the lens commands itself', async () => {
        const client = await start({ workspaceTrusted: true });
        expect(client.initialized.capabilities.executeCommandProvider).toEqual({ commands: [] });
    });

    it('a code lens goes from ▶ Scrub to the loss recovered, and the result survives a restart', async () => {
        const { uri, text } = toyCopy();
        const cacheDir = mkdtempSync(join(tmpdir(), 'hyp-cache-'));
        const client = await start({ scrubCacheDir: cacheDir, workspaceTrusted: true, scrubSettings: settings({}) });
        const clean = client.diagnostics(uri);
        client.open(uri, text);
        await clean;
        expect(await client.lenses(uri, 'correct')).toEqual(['▶ Scrub', '◇ Graph']);
        const done = client.nextFinished('correct');
        expect(await client.scrub(uri, ['correct'])).toEqual({ jobs: [{ hypothesis: 'correct', state: 'running' }] });
        expect((await done).outcome).toBe('done');
        const [result, rerun] = await client.lenses(uri, 'correct');
        expect(result).toMatch(/^loss recovered 100\.0% \(95% CI 100\.0–100\.0\) · 256 samples · \d+\.\d s · cpu$/);
        expect(rerun).toBe('↻ Rerun');
        // Asking again is answered from the cache.
        expect(await client.scrub(uri, ['correct'])).toEqual({ jobs: [{ hypothesis: 'correct', state: 'cached' }] });
        await client.close();
        clients.splice(clients.indexOf(client), 1);

        const again = await start({ scrubCacheDir: cacheDir, workspaceTrusted: true, scrubSettings: settings({}) });
        const published = again.diagnostics(uri);
        again.open(uri, text);
        await published;
        expect((await again.lenses(uri, 'correct'))[0]).toMatch(/^loss recovered 100\.0%/);
        const view = await again.connection.sendRequest(HypRpc.result.method, { uri, hypothesis: 'correct' }) as { stale: boolean; stored: { result: { perExample?: { examples: number[] } } } };
        expect(view.stale).toBe(false);
        expect(view.stored.result.perExample?.examples).toHaveLength(256);
    });

    it('a result is marked stale when the hypothesis or a setting changes, and fresh again when it changes back', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({}) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const done = client.nextFinished('only_a');
        await client.scrub(uri, ['only_a']);
        await done;
        const fresh = (await client.lenses(uri, 'only_a'))[0];
        expect(fresh).toMatch(/^loss recovered/);
        // Comments do not change what is computed; the feature does.
        const edited = text.replace('node d -> D = a         <- a', 'node d -> D = not a     <- a');
        expect(edited).not.toBe(text);
        const revalidated = client.diagnostics(uri);
        void client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
        await revalidated;
        expect(await client.lenses(uri, 'only_a')).toEqual([`$(history) stale: ${fresh}`, '▶ Scrub', '◇ Graph']);
        const back = client.diagnostics(uri);
        void client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: `// a comment\n${text}` }] });
        await back;
        expect((await client.lenses(uri, 'only_a'))[0]).toBe(fresh);
        void client.connection.sendNotification(HypRpc.settings.method, settings({ samples: 300 }));
        expect(await until(async () => ((await client.lenses(uri, 'only_a'))[0].startsWith('$(history) stale') ? true : undefined))).toBe(true);
    });

    it('hyp.exec and hyp.deviceMemory reach the worker: fused runs fused; a value it cannot use fails the scrub, naming the setting', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ exec: 'fused', deviceMemory: '1G' }) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const view = async (mode: string) => {
            const done = client.nextFinished('correct');
            await client.scrub(uri, ['correct'], true);
            expect((await done).outcome).toBe('done');
            const v = await client.connection.sendRequest(HypRpc.result.method, { uri, hypothesis: 'correct' }) as { stored: { result: { stats: { fusedRuns?: number; sessionRuns: number } } } };
            console.log(`${mode}: ${JSON.stringify(v.stored.result.stats)}`);
            return v.stored.result.stats;
        };
        // 256 roots of the toy: one fused chunk, one fused run.
        expect((await view('fused')).fusedRuns).toBe(1);
        // The device memory sizes fused chunks: in 10 KiB, 256 roots take several.
        void client.connection.sendNotification(HypRpc.settings.method, settings({ exec: 'fused', deviceMemory: '0.01M' }));
        expect((await view('fused, 10 KiB')).fusedRuns).toBeGreaterThan(1);
        void client.connection.sendNotification(HypRpc.settings.method, settings({ exec: 'staged' }));
        expect((await view('staged')).fusedRuns).toBe(0);
        for (const [bad, message] of [
            [{ exec: 'fast' }, 'the setting hyp.exec must be auto, fused or staged (got "fast")'],
            [{ exec: 'fused', deviceMemory: 'lots' }, 'the setting hyp.deviceMemory must be a size such as 8G or 512M, or empty for the default (got "lots")'],
        ] as const) {
            void client.connection.sendNotification(HypRpc.settings.method, settings(bad));
            const failed = client.nextFinished('correct');
            await client.scrub(uri, ['correct'], true);
            const f = await failed;
            expect(f.outcome).toBe('failed');
            expect(f.message).toBe(message);
            // A search refuses it before starting, with the same message.
            const reply = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'identity' }] });
            expect(reply).toBe(message);
            expect(client.shown.some(m => m.message === `Cannot search: ${message}`)).toBe(true);
        }
    });

    it('a worker killed from outside fails the run with a clear message, and the next run works', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ samples: 200_000 }) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const failed = client.nextFinished('correct', 120_000);
        await client.scrub(uri, ['correct']);
        const pid = await until(async () => (await client.workerPid()) ?? undefined);
        expect(await until(async () => ((await client.lenses(uri, 'correct'))[0].startsWith('$(sync~spin) Scrubbing…') ? true : undefined))).toBe(true);
        process.kill(pid, 'SIGKILL');
        const f = await failed;
        expect(f.outcome).toBe('failed');
        expect(f.message).toBe(`the scrub worker (pid ${pid}) was killed by SIGKILL before finishing`);
        expect((await client.lenses(uri, 'correct'))).toEqual([`$(error) scrub failed: ${f.message}`, '↻ Retry', '◇ Graph']);
        void client.connection.sendNotification(HypRpc.settings.method, settings({}));
        const done = client.nextFinished('correct');
        await client.scrub(uri, ['correct'], true);
        expect((await done).outcome).toBe('done');
        expect(await client.workerPid()).not.toBe(pid);
    });

    it('cancelling a long run kills the worker within a second, and closing the file cancels too', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ samples: 200_000 }) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const cancelled = client.nextFinished('correct', 120_000);
        // Two identical requests make one job; a different hypothesis queues behind it.
        await client.scrub(uri, ['correct']);
        expect(await client.scrub(uri, ['correct'])).toEqual({ jobs: [{ hypothesis: 'correct', state: 'running' }] });
        expect(await client.scrub(uri, ['only_a'])).toEqual({ jobs: [{ hypothesis: 'only_a', state: 'queued' }] });
        expect(await client.lenses(uri, 'only_a')).toEqual(['$(clock) Queued', '■ Cancel', '◇ Graph']);
        const pid = await until(async () => (await client.workerPid()) ?? undefined);
        const started = Date.now();
        expect(await client.connection.sendRequest(HypRpc.cancel.method, { uri, hypothesis: 'correct' })).toBe(1);
        expect((await cancelled).outcome).toBe('cancelled');
        expect(Date.now() - started).toBeLessThan(1500);
        expect(alive(pid)).toBe(false);
        // only_a now runs on a fresh worker; closing the document cancels it.
        const closed = client.nextFinished('only_a', 120_000);
        const second = await until(async () => (await client.workerPid()) ?? undefined);
        expect(second).not.toBe(pid);
        void client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
        expect((await closed).outcome).toBe('cancelled');
        expect(alive(second)).toBe(false);
        expect(client.finished.filter(f => f.hypothesis === 'correct')).toHaveLength(1);
    });

    it('in an untrusted workspace a features module is never run: a warning says why and scrubbing is refused', async () => {
        const { dir, uri, text } = toyCopy();
        writeFileSync(join(dir, 'f.mjs'), 'export function big(z) { return z[0] > 3; }\n');
        const withFeatures = text.replace('metric cross_entropy', 'features "f.mjs"\n\nmetric cross_entropy');
        const client = await start({ workspaceTrusted: false, scrubSettings: settings({}) });
        const published = client.diagnostics(uri, d => d.length > 0);
        client.open(uri, withFeatures);
        const diagnostics: Diagnostic[] = await published;
        const warning = diagnostics.find(d => d.code === 'untrusted-features');
        expect(warning?.severity).toBe(2);
        expect(warning?.message).toContain('This workspace is not trusted: the features module "f.mjs" is JavaScript and will not be run');
        const accepted = await client.scrub(uri, ['correct']);
        expect(accepted.jobs).toEqual([]);
        expect(accepted.refused).toContain('the workspace is not trusted');
        // Granting trust removes the warning and allows the scrub.
        const cleared = client.diagnostics(uri, d => !d.some(x => x.code === 'untrusted-features'));
        void client.connection.sendNotification(HypRpc.workspaceTrusted.method, { trusted: true });
        await cleared;
        const done = client.nextFinished('correct');
        expect((await client.scrub(uri, ['correct'])).jobs).toEqual([{ hypothesis: 'correct', state: 'running' }]);
        expect((await done).outcome).toBe('done');
    });

    it('with node effects on, each I node gets an inlay hint with its own effect', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ nodeEffects: true }) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const done = client.nextFinished('correct');
        await client.scrub(uri, ['correct']);
        expect(await done).toMatchObject({ outcome: 'done' });
        const hints = await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } }) as { label: string; position: { line: number } }[];
        const lines = text.split('\n');
        const byNode = Object.fromEntries(hints.map(h => [/node (\w+) ->/.exec(lines[h.position.line])?.[1], h.label]));
        // a alone (b and d computed on the root's example): still perfect; likewise b and d.
        expect(byNode).toMatchObject({ a: 'alone 100.0%', b: 'alone 100.0%', d: 'alone 100.0%' });
    });

    it('the model graph lists the hook points with their G-parents and the hypothesis\'s correspondence', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const view = await client.connection.sendRequest(HypRpc.graph.method, { uri, hypothesis: 'only_a' }) as GraphView;
        expect(view.modelPath.endsWith('toy_or.onnx')).toBe(true);
        expect(view.nodes.find(n => n.name === 'D')).toEqual({ name: 'D', tensor: 'D', shape: '[batch, 1]', op: 'Add', parents: ['A', 'B', 'C'] });
        expect(view.nodes.map(n => n.name)).toEqual(expect.arrayContaining(['input.z1', 'A', 'B', 'C', 'D', 'output']));
        expect(view.hypothesis?.mapping).toEqual([
            { interpNode: 'a', graphNode: 'A', feature: 'z[0] > 3', parents: ['input.z1'] },
            { interpNode: 'd', graphNode: 'D', feature: 'a', parents: ['a'] },
            { interpNode: 'output', graphNode: 'output', feature: '—', parents: ['d'] },
        ]);
    });

    it('a running job is a cancellable work-done progress, and cancelling it from the editor stops the job', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ samples: 200_000 }) }, true);
        const created: string[] = [];
        const begins: { token: string; value: { kind: string; title?: string; cancellable?: boolean } }[] = [];
        client.connection.onRequest('window/workDoneProgress/create', (p: { token: string }) => {
            created.push(p.token);
            return null;
        });
        client.connection.onNotification('$/progress', (p: { token: string; value: { kind: string } }) => {
            if (p.value.kind === 'begin') begins.push(p);
        });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        const cancelled = client.nextFinished('correct', 120_000);
        await client.scrub(uri, ['correct']);
        const begin = await until(async () => begins[0]);
        expect(created).toContain(begin.token);
        expect(begin.value).toMatchObject({ kind: 'begin', title: 'Scrubbing correct', cancellable: true });
        const pid = await until(async () => (await client.workerPid()) ?? undefined);
        void client.connection.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
        expect((await cancelled).outcome).toBe('cancelled');
        expect(alive(pid)).toBe(false);
    });

    it('cancelling the work-done progress of a running discover kills its worker at once, inserts nothing, and the scrub queued behind it runs', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ samples: 200_000 }) }, true);
        const begins: { token: string; value: { kind: string; title?: string; cancellable?: boolean } }[] = [];
        const edits: unknown[] = [];
        client.connection.onRequest('window/workDoneProgress/create', () => null);
        client.connection.onNotification('$/progress', (p: { token: string; value: { kind: string } }) => {
            if (p.value.kind === 'begin') begins.push(p);
        });
        client.connection.onRequest('workspace/applyEdit', (p: unknown) => {
            edits.push(p);
            return { applied: true };
        });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        // At 200,000 samples the search takes minutes: it is still on its first scrubs when cancelled.
        const reply = client.connection.sendRequest(ExecuteCommandRequest.type, { command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'identity' }] });
        const begin = await until(async () => begins.find(b => b.value.title === 'Finding a smaller circuit from identity'), 'the discover progress', 60_000);
        expect(begin.value).toMatchObject({ kind: 'begin', cancellable: true });
        const pid = await until(async () => (await client.workerPid()) ?? undefined);
        // A scrub asked for meanwhile (at 256 samples) waits behind the search.
        void client.connection.sendNotification(HypRpc.settings.method, settings({}));
        const scrubbed = client.nextFinished('only_a', 60_000);
        expect(await client.scrub(uri, ['only_a'])).toEqual({ jobs: [{ hypothesis: 'only_a', state: 'queued' }] });
        const cancelled = Date.now();
        void client.connection.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
        expect(await reply).toBe('scrubbing was cancelled');
        expect(Date.now() - cancelled).toBeLessThan(1500);
        expect(alive(pid)).toBe(false);
        expect(client.shown.some(m => m.message === 'Discover of "identity" cancelled')).toBe(true);
        expect((await scrubbed).outcome).toBe('done');
        expect(edits).toEqual([]);
        expect((await client.lenses(uri, 'only_a'))[0]).toMatch(/^loss recovered \d+\.\d% \(95% CI .*· 256 samples/);
    });

    it('a file with errors is not scrubbed, and the refusal says why', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({}) });
        const published = client.diagnostics(uri, d => d.some(x => x.severity === 1));
        client.open(uri, text.replace('node D = "D"', 'node D = "Dx"'));
        await published;
        const accepted = await client.scrub(uri, ['correct']);
        expect(accepted.jobs).toEqual([]);
        expect(accepted.refused).toMatch(/^the file has errors: no tensor "Dx" in the model; did you mean "D"\? \(line \d+\)$/);
        expect(await client.workerPid()).toBeNull();
    });

    it('when the language server dies mid-run, its worker exits too: no orphan', async () => {
        const { uri, text } = toyCopy();
        const client = await start({ workspaceTrusted: true, scrubSettings: settings({ samples: 200_000 }) });
        const published = client.diagnostics(uri);
        client.open(uri, text);
        await published;
        await client.scrub(uri, ['correct']);
        const pid = await until(async () => (await client.workerPid()) ?? undefined);
        const serverPid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
        process.kill(serverPid, 'SIGKILL');
        clients.splice(clients.indexOf(client), 1);
        client.connection.dispose();
        expect(await until(async () => (alive(pid) ? undefined : true), 'the worker to exit', 10_000)).toBe(true);
    });
});
