// A plain LSP client for protocol tests: starts `bin/hyp-language-server.mjs --stdio` as a child
// process, initialises it as an editor would, and collects the diagnostics it publishes and the
// messages it shows.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
    ConfigurationRequest, createProtocolConnection, DidChangeConfigurationNotification, DidChangeTextDocumentNotification, DidChangeWatchedFilesNotification, DidCloseTextDocumentNotification,
    DidOpenTextDocumentNotification, ExitNotification, InitializedNotification, InitializeRequest, LogMessageNotification,
    PublishDiagnosticsNotification, RegistrationRequest, ShowMessageNotification, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
    type ClientCapabilities, type Diagnostic, type FileEvent, type InitializeResult, type ProtocolConnection, type Registration,
    type ShowMessageParams, type WorkspaceFolder,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The command line of docs/editor-setup.md, run from the repository root. */
export const SERVER_COMMAND = [resolve(ROOT, 'bin/hyp-language-server.mjs'), '--stdio'];

export interface TestClient {
    connection: ProtocolConnection;
    /** The server's answer to `initialize`. */
    initialized: InitializeResult;
    /** Registrations the server asked for (file watchers among them). */
    registrations: Registration[];
    /** window/showMessage notifications, in order. */
    shown: ShowMessageParams[];
    /** window/logMessage notifications, in order. */
    logged: ShowMessageParams[];
    /** The last diagnostics published per URI. */
    published: Map<string, Diagnostic[]>;
    /** Resolves with the first diagnostics published for `uri` (from now on) that satisfy `accept`. */
    diagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
    open(uri: string, text: string): void;
    /** Replaces the whole text of an open document. */
    change(uri: string, text: string): void;
    closeDocument(uri: string): void;
    changedFiles(changes: FileEvent[]): void;
    /**
     * The settings the client answers workspace/configuration from (by section, as Neovim's
     * `settings`), when startServer was given some; change them, then notify.
     */
    settings?: Record<string, unknown>;
    /** Sends workspace/didChangeConfiguration: `settings` pushed, or null (the server then pulls). */
    changedConfiguration(settings: object | null): void;
    close(): Promise<void>;
}

/**
 * Starts the server and completes the initialize handshake. `capabilities` is merged one level
 * deep over a minimal client's (hover as markdown, completion without snippets, and dynamic
 * file-watcher registration when `watchers`).
 */
export async function startServer(initializationOptions: object = {}, watchers = true, capabilities: ClientCapabilities = {},
    workspaceFolders: WorkspaceFolder[] | null = null, settings?: Record<string, unknown>): Promise<TestClient> {
    const child: ChildProcess = spawn(process.execPath, SERVER_COMMAND, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const registrations: Registration[] = [];
    const shown: ShowMessageParams[] = [];
    const logged: ShowMessageParams[] = [];
    const latest = new Map<string, Diagnostic[]>();
    const versions = new Map<string, number>();
    const waiters: { uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
    connection.onRequest(RegistrationRequest.type, params => {
        registrations.push(...params.registrations);
    });
    // With settings, the client answers workspace/configuration (and says it does); without, a
    // client that advertises it anyway gets jsonrpc's "method not found" back.
    if (settings !== undefined) {
        capabilities = { ...capabilities, workspace: { configuration: true, ...capabilities.workspace } };
        connection.onRequest(ConfigurationRequest.type, params => params.items.map(item => (item.section === undefined ? settings : settings[item.section]) ?? null));
    }
    connection.onNotification(ShowMessageNotification.type, params => void shown.push(params));
    connection.onNotification(LogMessageNotification.type, params => void logged.push(params));
    connection.onNotification(PublishDiagnosticsNotification.type, params => {
        latest.set(params.uri, params.diagnostics);
        for (const w of [...waiters]) {
            if (w.uri === params.uri && w.accept(params.diagnostics)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(params.diagnostics);
            }
        }
    });
    connection.listen();
    const initialized = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid, rootUri: workspaceFolders?.[0]?.uri ?? null, workspaceFolders, initializationOptions,
        capabilities: {
            ...capabilities,
            workspace: { didChangeWatchedFiles: { dynamicRegistration: watchers }, ...capabilities.workspace },
            textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, completion: { completionItem: { snippetSupport: false } }, ...capabilities.textDocument },
        },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return {
        connection,
        initialized,
        registrations,
        shown,
        logged,
        published: latest,
        diagnostics: (uri, accept = () => true, timeoutMs = 20_000) => new Promise((resolvePromise, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(latest.get(uri))}`)), timeoutMs);
            waiters.push({ uri, accept, resolve: d => { clearTimeout(timer); resolvePromise(d); } });
        }),
        open: (uri, text) => {
            versions.set(uri, 1);
            void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'hyp', version: 1, text } });
        },
        change: (uri, text) => {
            const version = (versions.get(uri) ?? 1) + 1;
            versions.set(uri, version);
            void connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
        },
        closeDocument: uri => void connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }),
        changedFiles: changes => void connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes }),
        settings,
        changedConfiguration: changed => void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: changed }),
        close: async () => {
            await connection.sendRequest(ShutdownRequest.type);
            await connection.sendNotification(ExitNotification.type);
            connection.dispose();
            await new Promise(r => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
        },
    };
}
