// The custom messages between the VS Code client and the language server, defined once and
// imported by both sides (and by the code lens provider for its command ids): no method name or
// command id is written twice. The language server owns the scrub worker; the client only asks
// for work and shows what the server reports.

/**
 * A request's method with its parameter and result types. Plain objects rather than jsonrpc's
 * RequestType, so that this file imports nothing and both bundles can take it; each side wraps
 * these in its own typed helper.
 */
export interface RequestDef<P, R> {
    readonly method: string;
    /** Carries the types only. */
    readonly types?: { params: P; result: R };
}

/** A notification's method with its parameter type. */
export interface NotificationDef<P> {
    readonly method: string;
    readonly types?: { params: P };
}

function request<P, R>(method: string): RequestDef<P, R> {
    return { method };
}

function notification<P>(method: string): NotificationDef<P> {
    return { method };
}

/** Execution providers a user may ask for (auto falls back to CPU; a named one that cannot start fails the scrub). */
export type ExecutionProviderSetting = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/** The `hyp.*` settings that change how a scrub runs (and so its cache key). */
export interface ScrubSettings {
    executionProvider: ExecutionProviderSetting;
    /** Overrides the file's `samples` when set. */
    samples: number | null;
    /** Overrides the file's `seed` when set. */
    seed: number | null;
    /** onnxruntime intra-op threads; null lets onnxruntime decide. */
    threads: number | null;
    /** Also scrub each I node's claim alone, for the inlay hints. */
    nodeEffects: boolean;
    /**
     * How a scrub's chunks execute, as the user wrote it: auto (fused on a GPU), fused or staged
     * (engine/execute/exec-strategy.ts). Kept as written: anything else fails the scrub, saying so.
     */
    exec: string;
    /** GPU memory a fused chunk may take, such as "8G" or "512M"; empty for the default. Anything else fails the scrub, saying so. */
    deviceMemory: string;
    /**
     * Settings the server could not use, in words (set by the server when it reads them; a client
     * sends none): while any is listed, scrubs and searches fail with them instead of running on
     * the defaults unseen.
     */
    problems?: readonly string[];
}

export const DEFAULT_SCRUB_SETTINGS: ScrubSettings = {
    executionProvider: 'cpu',
    samples: null,
    seed: null,
    threads: null,
    nodeEffects: false,
    exec: 'auto',
    deviceMemory: '',
};

/** What the client passes in `initializationOptions` (besides the language server's own options). */
export interface ScrubInitializationOptions {
    /** Folder for cached results (workspace storage); results then survive restarts. */
    scrubCacheDir?: string;
    /** Whether the workspace is trusted: a `features` module is user code and runs only then. */
    workspaceTrusted?: boolean;
    scrubSettings?: Partial<ScrubSettings>;
    /**
     * The client is the VS Code extension: it runs the lens commands (HypCommands) itself, with its
     * own views, and renders `$(icon)` codicons in lens titles. Other clients leave it out: the
     * server then runs the lens commands on workspace/executeCommand and writes plain titles.
     */
    vscodeExtension?: boolean;
}

/** What a code lens passes to its command (from a palette or a plain client, any of it may be missing). */
export interface LensCommandArgs {
    uri?: string;
    hypothesis?: string;
    /** Run again even when a fresh cached result exists. */
    rerun?: boolean;
}

/** Names one hypothesis of one document. */
export interface HypothesisRef {
    uri: string;
    hypothesis: string;
}

export interface ScrubParams {
    uri: string;
    /** The hypotheses to scrub; all of the file's when absent. */
    hypotheses?: string[];
    /** Run again even when a fresh cached result exists. */
    rerun?: boolean;
}

/** How the server took each requested hypothesis. */
export interface ScrubAccepted {
    jobs: { hypothesis: string; state: 'queued' | 'running' | 'cached' }[];
    /** Why nothing was started (errors in the file, untrusted features module, …). */
    refused?: string;
}

export interface CancelParams {
    uri?: string;
    /** Cancels every job of `uri` when absent, every job when `uri` is absent too. */
    hypothesis?: string;
}

/** One job as the status bar shows it. */
export interface JobSummary {
    uri: string;
    hypothesis: string;
    state: 'queued' | 'running';
    /** 0..1 while running. */
    fraction: number;
}

/** One stored result: the engine's result plus what identifies its inputs. */
export interface StoredResult<R = unknown> {
    key: string;
    uri: string;
    hypothesis: string;
    /** When it finished (ms since the epoch). */
    finished: number;
    settings: ScrubSettings;
    /** The engine's ScrubResult for the hypothesis itself (with per-example values). */
    result: R;
    /** Per I node, the loss recovered when only that node's claim is scrubbed (when computed). */
    nodeEffects?: Record<string, { lossRecovered: number; ci95: [number, number] }>;
}

export interface ResultView<R = unknown> {
    stored: StoredResult<R>;
    /** True when the model, dataset, hypothesis or settings changed since it was computed. */
    stale: boolean;
}

/** The hook points of a file's graph and one hypothesis's correspondence, for "Show model graph". */
export interface GraphView {
    modelPath: string;
    nodes: { name: string; tensor: string; shape: string; op: string; parents: string[] }[];
    hypothesis?: {
        name: string;
        /** `inert`: I-parents whose edge the numeric pass found inert, with its trials (none moved the node). */
        mapping: { interpNode: string; graphNode: string; feature: string; parents: string[]; inert?: Record<string, number> }[];
    };
    problem?: string;
}

/** The drawing of one hypothesis over G, for the hypothesis graph view (draw/). */
export interface DrawingView {
    hypothesis: string;
    /** The SVG; absent when there is no current picture (then `problem` says why). */
    svg?: string;
    /** Where each box's declaration is (0-based), by the box's `data-id`: clicking a box reveals it. */
    locations?: Record<string, { line: number; character: number }>;
    /** Why there is no current picture: errors in the file, an unknown hypothesis, a model not loaded yet. */
    problem?: string;
}

/** A block to insert below a hypothesis (a challenge's refinement, from the result view's Insert button). */
export interface InsertBelowParams extends HypothesisRef {
    /** The block's `.hyp` text, which declares `hypothesis <name>`. */
    text: string;
    /** The name the block declares: renamed to an unused one if the file has it by now. */
    name: string;
}

export interface InsertBelowResult {
    applied: boolean;
    /** The name the inserted block declares. */
    name?: string;
    /** Why nothing was inserted. */
    problem?: string;
}

export interface ScrubFinished {
    uri: string;
    hypothesis: string;
    outcome: 'done' | 'failed' | 'cancelled';
    /** The failure, in a sentence, for the error message. */
    message?: string;
}

export namespace HypRpc {
    export const scrub = request<ScrubParams, ScrubAccepted>('hyp/scrub');
    export const cancel = request<CancelParams, number>('hyp/cancelScrub');
    export const result = request<HypothesisRef, ResultView | null>('hyp/result');
    export const graph = request<{ uri: string; hypothesis?: string }, GraphView>('hyp/graph');
    /** The hypothesis drawn over G, once the document's current text is validated. */
    export const drawing = request<HypothesisRef, DrawingView>('hyp/drawing');
    /** The worker's process id while a job runs (null otherwise): for tests and "Attach to Worker". */
    export const workerPid = request<Record<string, never>, number | null>('hyp/workerPid');
    /** Inserts a block below a hypothesis (workspace/applyEdit), under a name the file does not use yet. */
    export const insertBelow = request<InsertBelowParams, InsertBelowResult>('hyp/insertBelow');
    export const settings = notification<ScrubSettings>('hyp/settings');
    export const workspaceTrusted = notification<{ trusted: boolean }>('hyp/workspaceTrusted');
    export const jobs = notification<{ jobs: JobSummary[] }>('hyp/jobs');
    export const workerLog = notification<{ line: string }>('hyp/workerLog');
    export const finished = notification<ScrubFinished>('hyp/scrubFinished');
}

/**
 * Command ids, used by the code lenses the server computes: the VS Code extension contributes them
 * with its own views; for any other client the server runs the lens commands itself.
 */
export namespace HypCommands {
    export const scrub = 'hyp.scrub';
    export const scrubAll = 'hyp.scrubAll';
    export const cancel = 'hyp.cancel';
    export const showResult = 'hyp.showResult';
    export const showGraph = 'hyp.showGraph';
    export const showHypothesisGraph = 'hyp.showHypothesisGraph';
    export const showLog = 'hyp.showLog';
}
