// Wires scrubbing into the language server: the worker supervisor and the result cache, the
// custom requests and notifications of rpc.ts, the lens commands for clients other than the VS
// Code extension, work-done progress, code lens and inlay hint refreshes, workspace trust, and
// cancelling a document's jobs when it closes.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentState, URI } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { CodeLensRefreshRequest, type Connection } from 'vscode-languageserver';
import {
    DEFAULT_SCRUB_SETTINGS, HypRpc, type ScrubInitializationOptions, type ScrubSettings,
} from '../../language/communication/rpc.js';
import { CHALLENGE_VIEW_CAPABILITY } from '../../language/communication/explore-commands.js';
import type { HypServices } from '../../language/hyp-module.js';
import { drawingView } from '../drawing-view.js';
import { graphView } from './graph-view.js';
import { HypExecuteCommandHandler, SHOWN_LOG_LINES } from './hyp-execute-command-handler.js';
import { onRpcNotification, onRpcRequest, sendRpcNotification } from './rpc-connection.js';
import { ResultCache } from './result-cache.js';
import { ScrubService, type ProgressHandle, type ScrubClient } from './scrub-service.js';
import { WorkerSupervisor } from './worker-supervisor.js';
import { registerTrustCheck, WorkspaceTrust } from './workspace-trust.js';
import { withMallocTunables } from '../../engine/runtime/malloc-tunables.js';

/** The worker bundle's file name, next to the server bundle and of its module format (scripts/build.mjs writes both). */
export const SCRUB_WORKER_BUNDLE = typeof __dirname === 'string' ? 'hyp-scrub-worker.cjs' : 'hyp-scrub-worker.mjs';

/** The inspector port of a worker forked by a server that is itself being debugged ("Attach to Worker"). */
export const WORKER_INSPECT_PORT = 6010;

export interface ScrubRegistration {
    service: ScrubService;
    supervisor: WorkerSupervisor;
}

/** Registers scrubbing on the connection; call before the server starts listening. */
export function registerScrubHandlers(connection: Connection, shared: LangiumSharedServices, Hyp: HypServices,
    workerPath = join(bundleDir(), SCRUB_WORKER_BUNDLE)): ScrubRegistration {
    const trust = new WorkspaceTrust();
    registerTrustCheck(Hyp, trust);
    let cache = new ResultCache();
    let progressSupported = false;
    let lensRefresh = false;
    let hintRefresh = false;
    // Any client but the VS Code extension: the server runs the lens commands and tells the user
    // what happened with window/ messages (the extension has its own views for both).
    let plainClient = true;
    const lensCommands = shared.lsp.ExecuteCommandHandler instanceof HypExecuteCommandHandler ? shared.lsp.ExecuteCommandHandler : undefined;
    const logTail: string[] = [];
    const log = (line: string) => {
        sendRpcNotification(connection, HypRpc.workerLog, { line });
        logTail.push(line);
        if (logTail.length > SHOWN_LOG_LINES) logTail.shift();
        if (plainClient) connection.console.log(line);
    };
    const supervisor = new WorkerSupervisor({
        spawn: () => {
            if (!existsSync(workerPath)) throw new Error(`the scrub worker bundle is missing: ${workerPath}`);
            // The worker scrubs: it starts with the allocator settings scrubs run faster with (malloc-tunables.ts).
            return fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: workerExecArgv(), env: withMallocTunables() });
        },
        onLog: log,
    });
    const client: ScrubClient = {
        async startProgress(title, onCancel) {
            const none: ProgressHandle = { report() {}, done() {} };
            if (!progressSupported) return none;
            let reporter;
            try {
                reporter = await connection.window.createWorkDoneProgress();
            } catch (e) {
                // A client that says it supports progress but refuses to create one: scrub without it.
                log(`no progress report: the client refused window/workDoneProgress/create (${(e as Error).message})`);
                return none;
            }
            reporter.begin(title, 0, '0%', true);
            reporter.token.onCancellationRequested(onCancel);
            return {
                report: fraction => reporter.report(Math.floor(100 * fraction), `${Math.floor(100 * fraction)}%`),
                done: () => reporter.done(),
            } satisfies ProgressHandle;
        },
        jobsChanged: jobs => sendRpcNotification(connection, HypRpc.jobs, { jobs }),
        finished: f => {
            sendRpcNotification(connection, HypRpc.finished, f);
            if (plainClient) void lensCommands?.announce(f);
        },
        refresh: () => {
            if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
            if (hintRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
        },
    };
    const deps = { client, runner: supervisor, cache, trust };
    const service = new ScrubService(Hyp, shared, deps);
    Hyp.scrub.HypScrubStatus.attach(service);
    lensCommands?.attach({ service, connection, documents: shared.workspace.TextDocuments, logTail: () => logTail });

    shared.lsp.LanguageServer.onInitialize(params => {
        const options = (params.initializationOptions ?? {}) as ScrubInitializationOptions;
        if (options.scrubCacheDir) deps.cache = cache = new ResultCache(options.scrubCacheDir);
        trust.trusted = options.workspaceTrusted ?? false;
        service.settings = normaliseSettings(options.scrubSettings);
        progressSupported = params.capabilities.window?.workDoneProgress ?? false;
        lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport ?? false;
        hintRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport ?? false;
        plainClient = options.vscodeExtension !== true;
        Hyp.scrub.HypScrubStatus.vscodeExtension = !plainClient;
        if (lensCommands) {
            lensCommands.offered = plainClient;
            lensCommands.challengeView = (params.capabilities.experimental as Record<string, unknown> | undefined)?.[CHALLENGE_VIEW_CAPABILITY] === true;
        }
    });

    onRpcRequest(connection, HypRpc.scrub, params => service.scrub(params));
    onRpcRequest(connection, HypRpc.cancel, params => service.cancel(params));
    onRpcRequest(connection, HypRpc.result, params => service.result(params));
    onRpcRequest(connection, HypRpc.workerPid, () => supervisor.pid ?? null);
    onRpcRequest(connection, HypRpc.insertBelow, params => {
        if (!lensCommands) return { applied: false, problem: 'this language server cannot insert text' };
        return lensCommands.insertBelow(params);
    });
    onRpcRequest(connection, HypRpc.graph, params => {
        const document = shared.workspace.LangiumDocuments.getDocument(URI.parse(params.uri));
        if (!document) return { modelPath: '', nodes: [], problem: `${params.uri} is not open` };
        return graphView(Hyp, document, params.hypothesis);
    });
    onRpcRequest(connection, HypRpc.drawing, async params => {
        const uri = URI.parse(params.uri);
        // The edits sent before this request are queued as a workspace write: wait for it, then
        // for the document to be validated, so the picture is of the text as it is now.
        await shared.workspace.WorkspaceLock.read(() => undefined);
        if (!shared.workspace.LangiumDocuments.hasDocument(uri)) return { hypothesis: params.hypothesis, problem: `${params.uri} is not open` };
        await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, uri);
        const document = shared.workspace.LangiumDocuments.getDocument(uri);
        if (!document) return { hypothesis: params.hypothesis, problem: `${params.uri} is not open` };
        // Node effects colour the picture only while the result they came with is current.
        const result = await service.result(params);
        return drawingView(Hyp, document, params.hypothesis, result && !result.stale ? result.stored.nodeEffects : undefined);
    });
    onRpcNotification(connection, HypRpc.settings, settings => {
        service.settings = normaliseSettings(settings);
        service.refreshSoon();
    });
    onRpcNotification(connection, HypRpc.workspaceTrusted, async ({ trusted }) => {
        trust.trusted = trusted;
        // The trust warning is a validation result: revalidate every open document.
        const uris = shared.workspace.LangiumDocuments.all.map(d => d.uri).toArray();
        await shared.workspace.DocumentBuilder.update(uris, []);
        service.refreshSoon();
    });
    shared.workspace.TextDocuments?.onDidClose(e => service.cancel({ uri: e.document.uri }));
    // vscode-languageserver allows one shutdown handler (the server entry's); the exit hook runs
    // in every way the server ends short of SIGKILL, and the worker exits when its channel closes.
    process.on('exit', () => {
        const pid = supervisor.pid;
        if (pid !== undefined) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    });
    return { service, supervisor };
}

/** Settings from the client, with defaults for what it left out and nonsense replaced by them. */
export function normaliseSettings(s: Partial<ScrubSettings> | undefined): ScrubSettings {
    // Absent or null is the default; anything else the scrub cannot use is listed in `problems`,
    // which fails every scrub and search while it lasts (exec-settings.ts).
    const problems: string[] = [];
    const given = (v: unknown) => v !== undefined && v !== null;
    const int = (v: unknown, name: string, min: number, empty: string) => {
        if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
        if (given(v)) problems.push(`the setting hyp.${name} must be an integer ≥ ${min}, or empty ${empty} (got ${JSON.stringify(v)})`);
        return null;
    };
    const eps = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
    const ep = eps.find(e => e === s?.executionProvider);
    if (ep === undefined && given(s?.executionProvider)) {
        problems.push(`the setting hyp.executionProvider must be auto, cpu, cuda or webgpu (got ${JSON.stringify(s?.executionProvider)})`);
    }
    return {
        executionProvider: ep ?? DEFAULT_SCRUB_SETTINGS.executionProvider,
        samples: int(s?.samples, 'samples', 2, 'for the file\'s own'),
        seed: int(s?.seed, 'seed', 0, 'for the file\'s own'),
        threads: int(s?.threads, 'threads', 1, 'to let onnxruntime decide'),
        nodeEffects: s?.nodeEffects === true,
        // Kept as written (null or absent is the default): a value the scrub cannot use fails it
        // with a message (exec-settings.ts), never falling back to the default unseen.
        exec: s?.exec === undefined || s.exec === null ? DEFAULT_SCRUB_SETTINGS.exec : String(s.exec),
        deviceMemory: s?.deviceMemory === undefined || s.deviceMemory === null ? DEFAULT_SCRUB_SETTINGS.deviceMemory : String(s.deviceMemory),
        ...(problems.length > 0 && { problems }),
    };
}

/** A worker of a server under a debugger listens for one too (launch.json "Attach to Worker"). */
function workerExecArgv(): string[] {
    const debugging = process.execArgv.some(a => a.startsWith('--inspect'));
    return debugging ? [`--inspect=${WORKER_INSPECT_PORT}`] : [];
}

function bundleDir(): string {
    return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}
