// Starts the language server (the extension's bundled server, over IPC) and passes it what only
// the editor knows: where to keep results, whether the workspace is trusted, the settings.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions, type StaticFeature } from 'vscode-languageclient/node';
import { CHALLENGE_VIEW_CAPABILITY } from '../language/communication/explore-commands.js';
import type { ScrubInitializationOptions } from '../language/communication/rpc.js';
import { readScrubSettings } from './settings.js';

/** The server bundle inside the extension (scripts/build-extension.mjs writes it). */
export const SERVER_BUNDLE = 'dist/extension/hyp-language-server.cjs';

/** The server's inspector port under "Run Extension" (launch.json "Attach to Language Server"). */
export const SERVER_INSPECT_PORT = 6009;

/** Creates (does not start) the language client. */
export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.LogOutputChannel): LanguageClient {
    const module = context.asAbsolutePath(SERVER_BUNDLE);
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${SERVER_INSPECT_PORT}`] } },
    };
    const storage = context.storageUri ?? context.globalStorageUri;
    const initializationOptions: ScrubInitializationOptions = {
        scrubCacheDir: vscode.Uri.joinPath(storage, 'scrub-results').fsPath,
        workspaceTrusted: vscode.workspace.isTrusted,
        scrubSettings: readScrubSettings(),
        // The extension runs the lens commands itself (commands.ts): the server must not advertise them.
        vscodeExtension: true,
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'hyp' }],
        outputChannel,
        initializationOptions,
        synchronize: {
            // The server revalidates a document when its model, dataset, features module or subspace
            // vectors (a .json file) change on disk.
            fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{onnx,jsonl,json,mjs,js}'),
        },
    };
    const client = new LanguageClient('hyp', 'Hyp Language Server', serverOptions, clientOptions);
    client.registerFeature(challengeViewFeature);
    return client;
}

/** Announces the challenge view (challenge-panel.ts): the server then answers hyp.challenge with the findings instead of inserting them. */
const challengeViewFeature: StaticFeature = {
    fillClientCapabilities(capabilities) {
        capabilities.experimental = { ...(capabilities.experimental as object | undefined), [CHALLENGE_VIEW_CAPABILITY]: true };
    },
    initialize() {},
    getState: () => ({ kind: 'static' }),
    clear() {},
};
