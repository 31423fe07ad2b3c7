// A plain LSP client for protocol tests: starts `bin/hyp-language-server.mjs --stdio` as a child
// process, initialises it as an editor would, and collects the diagnostics it publishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
    createProtocolConnection, DidChangeWatchedFilesNotification, DidOpenTextDocumentNotification, ExitNotification, InitializedNotification,
    InitializeRequest, PublishDiagnosticsNotification, RegistrationRequest, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
    type Diagnostic, type FileEvent, type ProtocolConnection, type Registration,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface TestClient {
    connection: ProtocolConnection;
    /** Registrations the server asked for (file watchers among them). */
    registrations: Registration[];
    /** Resolves with the first diagnostics published for `uri` (from now on) that satisfy `accept`. */
    diagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
    open(uri: string, text: string): void;
    changedFiles(changes: FileEvent[]): void;
    close(): Promise<void>;
}

/** Starts the server and completes the initialize handshake. */
export async function startServer(initializationOptions: object = {}, watchers = true, extraCapabilities: { window?: object } = {}): Promise<TestClient> {
    const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, 'bin/hyp-language-server.mjs'), '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const registrations: Registration[] = [];
    const latest = new Map<string, Diagnostic[]>();
    const waiters: { uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
    connection.onRequest(RegistrationRequest.type, params => {
        registrations.push(...params.registrations);
    });
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
    await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid, rootUri: null, workspaceFolders: null, initializationOptions,
        capabilities: {
            workspace: { didChangeWatchedFiles: { dynamicRegistration: watchers } },
            textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, completion: { completionItem: { snippetSupport: false } } },
            ...extraCapabilities,
        },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return {
        connection,
        registrations,
        diagnostics: (uri, accept = () => true, timeoutMs = 20_000) => new Promise((resolvePromise, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(latest.get(uri))}`)), timeoutMs);
            waiters.push({ uri, accept, resolve: d => { clearTimeout(timer); resolvePromise(d); } });
        }),
        open: (uri, text) => void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'hyp', version: 1, text } }),
        changedFiles: changes => void connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes }),
        close: async () => {
            await connection.sendRequest(ShutdownRequest.type);
            await connection.sendNotification(ExitNotification.type);
            connection.dispose();
            await new Promise(r => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
        },
    };
}
