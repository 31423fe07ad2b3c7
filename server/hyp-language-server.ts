// The language server: Langium's LSP services for .hyp over a connection (stdio for any editor,
// IPC for the VS Code client), with model and dataset files read in the background, slow checks
// off the typing path, and revalidation when those files change on disk.
import { NodeFileSystem } from 'langium/node';
import { startLanguageServer } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import { createHypServices, type HypServices } from '../language/hyp-module.js';
import { createBackgroundReader } from './background-reader.js';
import { createProcessPerturber, createProcessProber } from './probe-process.js';
import { FileWatchFallback } from './file-watch-fallback.js';
import { HypConfigurationProvider } from './hyp-configuration-provider.js';
import { watchNumericBudgetSetting } from './numeric-budget-watch.js';
import { HypExecuteCommandHandler } from './scrub/hyp-execute-command-handler.js';
import { registerScrubHandlers } from './scrub/register-scrub.js';

/** Files at least this large are read in a worker thread; smaller ones are read at once (it is faster than a round trip). */
export const DEFAULT_BACKGROUND_LOAD_BYTES = 1 << 20;

/** Client options the server reads from `initializationOptions`. */
export interface HypInitializationOptions {
    /** Size from which model and dataset files are read in the background (0: always). */
    backgroundLoadBytes?: number;
}

/** Creates the services on a connection and starts listening; returns the language's services. */
export function startHypLanguageServer(connection: Connection): HypServices {
    // The lens commands run here for clients that do not run them themselves (register-scrub.ts).
    // Settings are pulled (workspace/configuration) as well as pushed, for any client (hyp-configuration-provider.ts).
    const { shared, Hyp } = createHypServices({ connection, ...NodeFileSystem }, {
        lsp: { ExecuteCommandHandler: () => new HypExecuteCommandHandler() },
        workspace: { ConfigurationProvider: services => new HypConfigurationProvider(services) },
    });
    const data = Hyp.workspace.HypWorkspaceData;
    const reader = createBackgroundReader();
    data.useBackgroundReader(reader, DEFAULT_BACKGROUND_LOAD_BYTES);
    // Real shapes of models that declare none: the model runs once, in a child process; the
    // numeric pass over part-level edges runs in one too.
    const prober = createProcessProber();
    if (prober !== undefined) data.useProber(prober, createProcessPerturber());
    watchNumericBudgetSetting(shared, Hyp);
    const fallback = new FileWatchFallback(Hyp);
    shared.lsp.LanguageServer.onInitialize(params => {
        const options = (params.initializationOptions ?? {}) as HypInitializationOptions;
        if (typeof options.backgroundLoadBytes === 'number') data.useBackgroundReader(reader, options.backgroundLoadBytes);
        if (!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) fallback.start();
    });
    connection.onShutdown(() => fallback.dispose());
    // Created eagerly: they subscribe to builder, loader and watched-file events.
    void Hyp.workspace.HypDataDependencies;
    Hyp.lsp.HypSlowValidation.start();
    // Code lens scrubbing: the worker supervisor, the result cache and the custom requests.
    registerScrubHandlers(connection, shared, Hyp);
    startLanguageServer(shared);
    return Hyp;
}
