// The files a .hyp document points to (model, dataset, features module), loaded for validation,
// hovers and lowering. Paths resolve relative to the .hyp file; results are cached by path and
// modification time, so editing the dataset on disk is seen at the next validation. Loading never
// throws: a failure is a value the validator reports on the declaration.
//
// The CLI and the tests read synchronously. The language server installs a background reader:
// a file above a size limit is then read off the typing path, the validation in progress sees it
// as pending, and `onDidLoad` tells the server to revalidate the documents that use it.
import { statSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Emitter, type Event, type LangiumDocument } from 'langium';
import { loadDataset, type Dataset } from '../../engine/dataset/dataset.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import type { ModelGraph } from '../../engine/graph/types.js';
import { probedTensorNames, probeKey, type ModelProbe, type ProbeFeed } from '../../engine/graph/probe.js';
import type { RewritePatch } from '../../engine/graph/rewrite.js';
import { budgetBounds, PERTURB_BOUNDS, type PartEvidence, type PerturbBounds, type PerturbRequest } from '../../engine/graph/perturb-queries.js';
import * as ast from '../generated/ast.js';
import { loadErrorMessage } from './read-data-file.js';
import type { NumericBudgetFrom, NumericBudgetSetting } from './numeric-budget-setting.js';

/** A loaded file, why it could not be loaded, or (with a background reader) that it is still being read. */
export type Loaded<T> =
    | { ok: true; value: T; path: string }
    | { ok: false; error: string; path: string; pending?: false }
    | { ok: false; error: string; path: string; pending: true };

/** The kinds of file a document declares. */
export type FileKind = 'model' | 'dataset' | 'features' | 'vectors';

/**
 * Runs the probe of a model (engine/graph/probe.ts) where onnxruntime may run: in-process for the
 * CLI and tests, a child process for the language server (server/probe-process.ts).
 */
export type ModelProber = (modelPath: string, tensors: readonly string[], feeds: readonly ProbeFeed[]) => Promise<ModelProbe>;

/**
 * Runs the numeric pass over part-level edges (graph/perturb-queries.ts) where onnxruntime may
 * run, like the prober.
 */
export type PartPerturber = (modelPath: string, request: PerturbRequest) => Promise<PartEvidence>;

/** Probes kept per workspace: one per (model, dataset head) seen recently; numeric passes likewise. */
const MAX_PROBES = 16;

/** Reads and decodes a file off the typing path (the server's is a worker thread); rejects with the reason it cannot. */
export type BackgroundReader = (kind: 'model' | 'dataset', path: string) => Promise<ModelGraph | Dataset>;

interface CacheEntry {
    stamp: string;
    result: Loaded<unknown>;
}

export class HypWorkspaceData {
    private readonly cache = new Map<string, CacheEntry>();
    /** Reads under way: the stamp read, and the one pending value handed out meanwhile (so analyses stay cached). */
    private readonly inFlight = new Map<string, { stamp: string; pending: Loaded<never> }>();
    private readonly onDidLoadEmitter = new Emitter<string>();
    private background?: { read: BackgroundReader; minBytes: number };
    private prober?: ModelProber;
    private readonly probes = new Map<string, Loaded<ModelProbe>>();
    private readonly probesInFlight = new Map<string, { run: Promise<void>; pending: Loaded<never> }>();
    private readonly probeKeys = new WeakMap<readonly ProbeFeed[], { stamp: string; key: string }>();
    private perturber?: PartPerturber;
    private bounds: PerturbBounds = PERTURB_BOUNDS;
    private budget = 1;
    private budgetFrom: NumericBudgetFrom = 'flag';
    private budgetProblem?: string;
    private boundsVersion = 0;
    private readonly perturbations = new Map<string, Loaded<PartEvidence>>();
    private readonly perturbationsInFlight = new Map<string, { run: Promise<void>; pending: Loaded<never> }>();

    /** Fires with a file's absolute path when a background read of it finished (loaded or failed). */
    get onDidLoad(): Event<string> {
        return this.onDidLoadEmitter.event;
    }

    /** Reads model and dataset files of at least `minBytes` with `read`, off the typing path. */
    useBackgroundReader(read: BackgroundReader, minBytes: number): void {
        this.background = { read, minBytes };
    }

    /** Runs model probes with `prober` (none: undefined): G then gets real shapes and knows which tensors are per example. */
    useProber(prober: ModelProber | undefined, perturber?: PartPerturber): void {
        this.prober = prober;
        // Another perturber (a test's that fails): what the last one found, or failed at, is not its answer.
        if (perturber !== this.perturber) this.perturbations.clear();
        this.perturber = perturber;
    }

    /** Whether a numeric pass runs here (a perturber is installed). */
    get perturbs(): boolean {
        return this.perturber !== undefined;
    }

    /** The numeric pass's bounds (graph/perturb-queries.ts); a test lowers them to see one exceeded. */
    get perturbBounds(): PerturbBounds {
        return this.bounds;
    }

    /** `budget` times the default bounds (`hyp check --numeric-budget`), then `bounds` over them (a test's). */
    usePerturbBounds(bounds: Partial<PerturbBounds> = {}, budget = 1): void {
        this.bounds = { ...budgetBounds(budget), ...bounds };
        this.budget = budget;
        this.budgetFrom = 'flag';
        this.budgetProblem = undefined;
        this.boundsVersion++;
    }

    /**
     * The editor's `hyp.numericBudget` (numeric-budget-setting.ts): its budget times the default
     * bounds, or, for a value it cannot use, no numeric pass and the reason on every document it
     * would run on. Returns whether anything changed (the open documents are then revalidated).
     */
    useNumericBudgetSetting(setting: NumericBudgetSetting): boolean {
        if (this.budgetFrom === 'setting' && setting.problem === this.budgetProblem && (setting.problem !== undefined || setting.budget === this.budget)) return false;
        this.bounds = budgetBounds(setting.budget ?? 1);
        this.budget = setting.budget ?? 1;
        this.budgetFrom = 'setting';
        this.budgetProblem = setting.problem;
        this.boundsVersion++;
        return true;
    }

    /** The factor the pass's bounds were raised by (1: the defaults), for saying how far to raise them. */
    get numericBudget(): number {
        return this.budget;
    }

    /** Whether the budget is the CLI's flag or the editor's setting: what a diagnostic tells the user to change. */
    get numericBudgetFrom(): NumericBudgetFrom {
        return this.budgetFrom;
    }

    /** Why the editor's setting cannot be used, while it cannot (the numeric pass does not run meanwhile). */
    get numericBudgetProblem(): string | undefined {
        return this.budgetProblem;
    }

    /** Changes with the bounds, the budget or its problem: an analysis made under others is stale. */
    get numericVersion(): number {
        return this.boundsVersion;
    }

    /**
     * The numeric pass of `request` on the model at `path`, keyed by the file's stamp, the rows'
     * values and the queries: undefined without a perturber, pending (and `onDidLoad(path)` fires
     * when it ends) while it runs.
     */
    perturbation(path: string, request: PerturbRequest): Loaded<PartEvidence> | undefined {
        if (this.perturber === undefined || request.queries.length === 0) return undefined;
        const stamp = fileStamp(path);
        if (stamp === undefined) return undefined;
        const key = `${probeKey(stamp, request.feeds)}:${JSON.stringify(request.queries)}${request.rewrites === undefined ? '' : `:${rewritesKey(request.rewrites)}`}`;
        const perturber = this.perturber;
        return this.inBackground(this.perturbations, this.perturbationsInFlight, key, path, `perturbing parts of ${path}…`, () => perturber(path, request));
    }

    /**
     * The probe of the model at `path` on `feeds`, keyed by the file's stamp and the feeds' values:
     * undefined without a prober, pending (and `onDidLoad(path)` fires when it ends) while it runs.
     */
    probe(path: string, graph: ModelGraph, feeds: readonly ProbeFeed[]): Loaded<ModelProbe> | undefined {
        if (this.prober === undefined) return undefined;
        const stamp = fileStamp(path);
        if (stamp === undefined) return undefined;
        let key = this.probeKeys.get(feeds);
        if (key?.stamp !== stamp) this.probeKeys.set(feeds, key = { stamp, key: probeKey(stamp, feeds) });
        return this.probeOf(path, graph, feeds, key.key);
    }

    private probeOf(path: string, graph: ModelGraph, feeds: readonly ProbeFeed[], key: string): Loaded<ModelProbe> {
        return this.inBackground(this.probes, this.probesInFlight, key, path, `running ${path} once for its shapes…`,
            () => this.prober!(path, probedTensorNames(graph), feeds));
    }

    /**
     * The cached result under `key`, or the pending value of the run that computes it (started here
     * if none is running); when it ends the result is cached (the oldest of MAX_PROBES dropped) and
     * `onDidLoad(path)` fires.
     */
    private inBackground<T>(done: Map<string, Loaded<T>>, inFlight: Map<string, { run: Promise<void>; pending: Loaded<never> }>,
        key: string, path: string, pendingText: string, start: () => Promise<T>): Loaded<T> {
        const hit = done.get(key);
        if (hit !== undefined) return hit;
        const running = inFlight.get(key);
        if (running !== undefined) return running.pending;
        // One pending value per run, so that analyses made meanwhile stay cached.
        const pending: Loaded<never> = { ok: false, pending: true, error: pendingText, path };
        const run = start().then(
            value => ({ ok: true, value, path }) as Loaded<T>,
            e => failure(e, path),
        ).then(result => {
            inFlight.delete(key);
            if (done.size >= MAX_PROBES) done.delete(done.keys().next().value!);
            done.set(key, result);
            this.onDidLoadEmitter.fire(path);
        });
        inFlight.set(key, { run, pending });
        return pending;
    }

    /** Resolves when no probe or numeric pass is running; true when one was (what was validated meanwhile saw it pending). */
    async settled(): Promise<boolean> {
        let waited = false;
        while (this.probesInFlight.size > 0 || this.perturbationsInFlight.size > 0) {
            waited = true;
            await Promise.all([...this.probesInFlight.values(), ...this.perturbationsInFlight.values()].map(r => r.run));
        }
        return waited;
    }

    /** Forgets what is cached for a path (a watched file changed: its modification time may not have). */
    invalidate(path: string): void {
        for (const kind of ['model', 'dataset', 'features'] as const) this.cache.delete(`${kind}:${path}`);
    }

    /**
     * The absolute path a declaration's path denotes, relative to the document's folder; undefined
     * for non-file documents and for a declaration whose path is still being typed (`model "`).
     */
    resolvePath(document: LangiumDocument, path: string | undefined): string | undefined {
        if (path === undefined) return undefined;
        if (isAbsolute(path)) return path;
        if (document.uri.scheme !== 'file') return undefined;
        return resolve(dirname(document.uri.fsPath), path);
    }

    /** The absolute paths of the files a document declares (model, dataset, features module, subspace vectors). */
    declaredPaths(document: LangiumDocument): string[] {
        const file = document.parseResult?.value as ast.HypFile | undefined;
        const decls = file?.elements?.filter(e => ast.isModelDecl(e) || ast.isDatasetDecl(e) || ast.isFeaturesDecl(e)) ?? [];
        const vectorFiles = (file?.elements ?? []).filter(ast.isGraphDecl).flatMap(g => g.members).filter(ast.isHookPoint)
            .flatMap(h => (ast.isSubspaceSplit(h.split) ? h.split.parts.map(p => p.file) : []));
        return [...decls.map(d => (d as { path?: string }).path), ...vectorFiles]
            .map(p => this.resolvePath(document, p)).filter((p): p is string => p !== undefined);
    }

    /** The model graph of an `.onnx` file. */
    model(path: string): Loaded<ModelGraph> {
        return this.load('model', path, () => loadModelGraph(path));
    }

    /** The rows and inferred field types of a JSONL dataset. */
    dataset(path: string): Loaded<Dataset> {
        return this.load('dataset', path, () => loadDataset(path));
    }

    /**
     * The names a features module exports, read from its text (the language server does not run
     * user code; the engine imports the module when it scrubs).
     */
    featureExports(path: string): Loaded<string[]> {
        return this.load('features', path, () => exportedNames(readFileSync(path, 'utf8')));
    }

    /** The parsed JSON of a file of subspace vectors (`split subspace { v: "dirs.json" }`). */
    vectorFile(path: string): Loaded<unknown> {
        return this.load('vectors', path, () => JSON.parse(readFileSync(path, 'utf8')) as unknown);
    }

    private load<T>(kind: FileKind, path: string, read: () => T): Loaded<T> {
        let stamp: string;
        let size: number;
        try {
            const s = statSync(path);
            if (!s.isFile()) return { ok: false, error: `${path} is not a file`, path };
            stamp = `${s.mtimeMs}:${s.size}`;
            size = s.size;
        } catch {
            return { ok: false, error: `file not found: ${path}`, path };
        }
        const key = `${kind}:${path}`;
        const hit = this.cache.get(key);
        if (hit && hit.stamp === stamp) return hit.result as Loaded<T>;
        if (this.background && (kind === 'model' || kind === 'dataset') && size >= this.background.minBytes) {
            return this.readInBackground(kind, path, key, stamp);
        }
        let result: Loaded<T>;
        try {
            result = { ok: true, value: read(), path };
        } catch (e) {
            result = failure(e, path);
        }
        this.cache.set(key, { stamp, result });
        return result;
    }

    private readInBackground(kind: 'model' | 'dataset', path: string, key: string, stamp: string): Loaded<never> {
        const running = this.inFlight.get(key);
        if (running?.stamp === stamp) return running.pending;
        const pending: Loaded<never> = { ok: false, pending: true, error: `reading ${path}…`, path };
        this.inFlight.set(key, { stamp, pending });
        this.background!.read(kind, path).then(
            value => ({ ok: true, value, path }) as Loaded<unknown>,
            e => failure(e, path),
        ).then(result => {
            // A newer read of the same path (the file changed meanwhile) owns the cache entry.
            if (this.inFlight.get(key)?.stamp !== stamp) return;
            this.inFlight.delete(key);
            this.cache.set(key, { stamp, result });
            this.onDidLoadEmitter.fire(path);
        });
        return pending;
    }
}

function failure(e: unknown, path: string): Loaded<never> {
    return { ok: false, error: loadErrorMessage(e), path };
}

/** Exported function and constant names of an ES module, found textually. */
export function exportedNames(source: string): string[] {
    const names = new Set<string>();
    const declaration = /export\s+(?:async\s+)?(?:function\s*\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/g;
    for (const m of source.matchAll(declaration)) names.add(m[1]);
    const list = /export\s*\{([^}]*)\}/g;
    for (const m of source.matchAll(list)) {
        for (const item of m[1].split(',')) {
            const parts = item.trim().split(/\s+as\s+/);
            const name = (parts[1] ?? parts[0]).trim();
            if (/^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default') names.add(name);
        }
    }
    return [...names];
}

/** The file's path, modification time and size: a result computed from it is stale when this changes. */
function fileStamp(path: string): string | undefined {
    try {
        const s = statSync(path);
        return `${path}:${s.mtimeMs}:${s.size}`;
    } catch {
        return undefined;
    }
}

/** A patch's identity for the numeric pass's cache: its nodes, and its constants' values (subspace projections change with the vectors files). */
const rewriteKeys = new WeakMap<RewritePatch, string>();
function rewritesKey(patch: RewritePatch): string {
    let key = rewriteKeys.get(patch);
    if (key === undefined) {
        key = JSON.stringify([patch.nodes, patch.constants.map(c => [c.name, c.dims, Array.from(c.values)])]);
        rewriteKeys.set(patch, key);
    }
    return key;
}
