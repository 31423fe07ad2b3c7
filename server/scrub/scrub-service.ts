// The server side of one-click scrubbing: turns a document's hypotheses into jobs (lowered spec,
// cache key, settings), answers from the cache when it can, queues the rest on the worker, keeps
// the outcome (results on disk, failures in memory) and tells the client what changed. It is also
// the status source of the code lenses and inlay hints. The LSP connection is behind ScrubClient,
// so tests drive all of this with a fake client and a fake worker.
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { ScrubResult } from '../../engine/result.js';
import type { ScrubSpec } from '../../engine/spec.js';
import { unusedName } from '../../engine/explore/hypothesis-text.js';
import type { ExploreOutcome, WorkerExploreOptions, WorkerScrubOptions } from '../../engine/worker/protocol.js';
import {
    DEFAULT_SCRUB_SETTINGS, type CancelParams, type HypothesisRef, type JobSummary, type ResultView, type ScrubAccepted,
    type ScrubFinished, type ScrubParams, type ScrubSettings, type StoredResult,
} from '../../language/communication/rpc.js';
import * as ast from '../../language/generated/ast.js';
import type { HypServices } from '../../language/hyp-module.js';
import type { HypothesisScrubState, ScrubStatusSource } from '../../language/lsp/scrub-status.js';
import { scrubJobKey } from './job-key.js';
import { ScrubQueue } from './job-queue.js';
import { nodeEffectVariants, splitNodeEffects } from './node-effects.js';
import type { ResultCache } from './result-cache.js';
import { ScrubJobError, type RunHooks } from './worker-supervisor.js';
import type { WorkspaceTrust } from './workspace-trust.js';
import { execOptions } from './exec-settings.js';

/** A work-done progress the client shows (cancellable). */
export interface ProgressHandle {
    report(fraction: number): void;
    done(): void;
}

/** What the service needs from the client side of the connection. */
export interface ScrubClient {
    startProgress(title: string, onCancel: () => void): Promise<ProgressHandle>;
    jobsChanged(jobs: JobSummary[]): void;
    finished(f: ScrubFinished): void;
    /** Asks the client to re-request code lenses and inlay hints. */
    refresh(): void;
}

/** Runs one job's spec (the worker supervisor, or a fake in tests). */
export interface ScrubRunner {
    run(spec: ScrubSpec, options: WorkerScrubOptions, hooks: RunHooks): Promise<ScrubResult[]>;
    /** An exploration job (discover, challenge); runners without it cannot explore. */
    explore?(spec: ScrubSpec, options: WorkerExploreOptions, hooks: RunHooks): Promise<ExploreOutcome>;
}

/** An exploration the editor asked for: queued like a scrub, its outcome once it ends. */
export type ExploreStarted = { refused: string } | { outcome: Promise<ExploreOutcome> };

export interface ScrubServiceDeps {
    client: ScrubClient;
    runner: ScrubRunner;
    cache: ResultCache;
    trust: WorkspaceTrust;
}

/** Code lens refreshes while a job reports progress are at most this frequent. */
const REFRESH_INTERVAL_MS = 250;

export class ScrubService implements ScrubStatusSource {
    settings: ScrubSettings = { ...DEFAULT_SCRUB_SETTINGS };
    readonly queue = new ScrubQueue();
    /** Failures by `uri#hypothesis`, with the key they were computed for (a changed input clears them). */
    private readonly failures = new Map<string, { key: string; message: string }>();
    private refreshTimer?: NodeJS.Timeout;

    constructor(private readonly Hyp: HypServices, private readonly shared: LangiumSharedServices, private readonly deps: ScrubServiceDeps) {
        this.queue.onChange(() => {
            this.deps.client.jobsChanged(this.queue.summaries());
            this.scheduleRefresh();
        });
    }

    /** The state of every hypothesis of a document, for code lenses and inlay hints. */
    async states(document: LangiumDocument): Promise<Map<string, HypothesisScrubState>> {
        const uri = document.uri.toString();
        const lowered = this.lower(document);
        const names = (document.parseResult.value as ast.HypFile).elements.filter(ast.isHypothesis).map(h => h.name);
        const states = new Map<string, HypothesisScrubState>();
        for (const name of names) {
            const job = this.queue.list().find(j => j.request.uri === uri && j.request.hypothesis === name);
            if (job) {
                states.set(name, job.state === 'running' ? { kind: 'running', fraction: job.fraction } : { kind: 'queued' });
                continue;
            }
            const key = 'spec' in lowered && lowered.spec.hypotheses.some(h => h.name === name) ? this.key(lowered.spec, name) : undefined;
            const failure = this.failures.get(`${uri}#${name}`);
            if (key !== undefined && failure?.key === key) {
                states.set(name, { kind: 'failed', message: failure.message });
                continue;
            }
            const fresh = key === undefined ? undefined : this.deps.cache.get(key);
            const stored = fresh ?? this.deps.cache.latest(uri, name);
            states.set(name, stored ? doneState(stored, !fresh) : { kind: 'idle' });
        }
        return states;
    }

    /** Starts (or joins, or answers from the cache) the scrub of a document's hypotheses. */
    async scrub(params: ScrubParams): Promise<ScrubAccepted> {
        const document = await this.document(params.uri);
        if (!document) return { jobs: [], refused: `${params.uri} is not open in the language server` };
        const lowered = this.lower(document);
        if ('problem' in lowered) return { jobs: [], refused: lowered.problem };
        const { spec } = lowered;
        const refused = this.deps.trust.refusal(spec.featuresModule);
        if (refused) return { jobs: [], refused };
        const names = params.hypotheses ?? spec.hypotheses.map(h => h.name);
        const unknown = names.find(n => !spec.hypotheses.some(h => h.name === n));
        if (unknown !== undefined) return { jobs: [], refused: `the file has no hypothesis named "${unknown}"` };
        const jobs: ScrubAccepted['jobs'] = [];
        for (const hypothesis of names) {
            const key = this.key(spec, hypothesis);
            if (!params.rerun && this.deps.cache.get(key)) {
                jobs.push({ hypothesis, state: 'cached' });
                continue;
            }
            this.failures.delete(`${params.uri}#${hypothesis}`);
            const settings = { ...this.settings };
            const { job, joined } = this.queue.submit({
                key, uri: params.uri, hypothesis,
                run: hooks => this.runJob(spec, hypothesis, settings, key, hooks),
            });
            if (!joined) void this.settle(job.done, params.uri, hypothesis, key, settings);
            jobs.push({ hypothesis, state: job.state });
        }
        this.scheduleRefresh(0);
        return { jobs };
    }

    /**
     * Queues a discover search from, or a challenge of, one hypothesis on the scrub worker, behind
     * the scrubs already queued and with the scrub settings (execution provider, samples, seed,
     * threads); cancellable like a scrub (its progress, or cancel on the uri). The outcome is the
     * text to insert below the hypothesis.
     */
    async explore(params: { uri: string; hypothesis: string; kind: 'discover' | 'challenge' }): Promise<ExploreStarted> {
        const document = await this.document(params.uri);
        if (!document) return { refused: `${params.uri} is not open in the language server` };
        const lowered = this.lower(document);
        if ('problem' in lowered) return { refused: lowered.problem };
        const { spec } = lowered;
        const refused = this.deps.trust.refusal(spec.featuresModule);
        if (refused) return { refused };
        const explore = this.deps.runner.explore?.bind(this.deps.runner);
        if (!explore) return { refused: 'this language server runs no exploration jobs' };
        if (!spec.hypotheses.some(h => h.name === params.hypothesis)) return { refused: `the file has no hypothesis named "${params.hypothesis}"` };
        const name = unusedName(`${params.hypothesis}_smaller`, spec.hypotheses.map(h => h.name));
        const settings = { ...this.settings };
        let exec: ReturnType<typeof execOptions>;
        try {
            exec = execOptions(settings);
        } catch (e) {
            return { refused: (e as Error).message };
        }
        const key = `${params.kind}:${this.key(spec, params.hypothesis)}`;
        const label = params.kind === 'discover' ? `Finding a smaller circuit from ${params.hypothesis}` : `Challenging ${params.hypothesis}`;
        let outcome: ExploreOutcome | undefined;
        // The queue's jobs give scrub results; this one keeps its outcome aside and gives none.
        const { job, joined } = this.queue.submit({
            key, uri: params.uri, hypothesis: `${params.hypothesis} (${params.kind})`,
            run: async hooks => {
                const progress = await this.deps.client.startProgress(label, () => this.queue.cancel(j => j.request.key === key));
                try {
                    outcome = await explore(spec, {
                        kind: params.kind, hypothesis: params.hypothesis, name, ep: settings.executionProvider,
                        ...(settings.samples !== null && { samples: settings.samples }),
                        ...(settings.seed !== null && { seed: settings.seed }),
                        ...(settings.threads !== null && { threads: settings.threads }),
                        ...exec,
                        allowFeaturesModule: this.deps.trust.trusted,
                    }, {
                        signal: hooks.signal,
                        onProgress: fraction => {
                            hooks.onProgress?.(fraction);
                            progress.report(fraction);
                        },
                    });
                    return [];
                } finally {
                    progress.done();
                }
            },
        });
        // The same search already queued or running answers whoever asked first.
        if (joined) return { refused: `${label} is already ${job.state}` };
        return { outcome: job.done.then(() => outcome!) };
    }

    /** Where a hypothesis block ends in the document as it is now (to insert below it), and the names the file declares. */
    async insertionPoint(uri: string, hypothesis: string): Promise<{ end: { line: number; character: number }; names: string[] } | undefined> {
        const document = await this.document(uri);
        const hypotheses = document ? (document.parseResult.value as ast.HypFile).elements.filter(ast.isHypothesis) : [];
        const end = hypotheses.find(x => x.name === hypothesis)?.$cstNode?.range.end;
        return end && { end, names: hypotheses.map(x => x.name) };
    }

    /** Cancels the matching jobs; returns how many. */
    cancel(params: CancelParams): number {
        return this.queue.cancel(j => (params.uri === undefined || j.request.uri === params.uri)
            && (params.hypothesis === undefined || j.request.hypothesis === params.hypothesis));
    }

    /** The result a hypothesis's lens shows (fresh, else the latest, marked stale). */
    async result(ref: HypothesisRef): Promise<ResultView | null> {
        const document = await this.document(ref.uri);
        const lowered = document ? this.lower(document) : undefined;
        const key = lowered && 'spec' in lowered && lowered.spec.hypotheses.some(h => h.name === ref.hypothesis)
            ? this.key(lowered.spec, ref.hypothesis) : undefined;
        const fresh = key === undefined ? undefined : this.deps.cache.get(key);
        const stored = fresh ?? this.deps.cache.latest(ref.uri, ref.hypothesis);
        return stored ? { stored, stale: !fresh } : null;
    }

    /** Re-asks the client for lenses (settings or trust changed, a file changed on disk). */
    refreshSoon(): void {
        this.scheduleRefresh(0);
    }

    private async runJob(spec: ScrubSpec, hypothesis: string, settings: ScrubSettings, key: string, hooks: RunHooks): Promise<ScrubResult[]> {
        const h = spec.hypotheses.find(x => x.name === hypothesis)!;
        const variants = settings.nodeEffects ? nodeEffectVariants(h, spec.dataset) : [];
        const jobSpec: ScrubSpec = { ...spec, hypotheses: [h, ...variants] };
        const progress = await this.deps.client.startProgress(`Scrubbing ${hypothesis}`, () => this.queue.cancel(j => j.request.key === key));
        try {
            return await this.deps.runner.run(jobSpec, {
                hypotheses: jobSpec.hypotheses.map(x => x.name),
                ep: settings.executionProvider,
                ...(settings.samples !== null && { samples: settings.samples }),
                ...(settings.seed !== null && { seed: settings.seed }),
                ...(settings.threads !== null && { threads: settings.threads }),
                ...execOptions(settings),
                perExample: true,
                allowFeaturesModule: this.deps.trust.trusted,
            }, {
                signal: hooks.signal,
                onProgress: fraction => {
                    hooks.onProgress?.(fraction);
                    progress.report(fraction);
                },
            });
        } finally {
            progress.done();
        }
    }

    private async settle(done: Promise<ScrubResult[]>, uri: string, hypothesis: string, key: string, settings: ScrubSettings): Promise<void> {
        try {
            const { own, effects } = splitNodeEffects(hypothesis, await done);
            if (!own) throw new ScrubJobError('failed', `the worker returned no result for "${hypothesis}"`);
            const stored: StoredResult<ScrubResult> = {
                key, uri, hypothesis, finished: Date.now(), settings, result: own,
                ...(settings.nodeEffects && { nodeEffects: effects }),
            };
            this.deps.cache.put(stored);
            this.deps.client.finished({ uri, hypothesis, outcome: 'done' });
        } catch (e) {
            const error = e instanceof ScrubJobError ? e : new ScrubJobError('failed', (e as Error).message);
            if (error.kind !== 'cancelled') this.failures.set(`${uri}#${hypothesis}`, { key, message: error.message });
            this.deps.client.finished({ uri, hypothesis, outcome: error.kind === 'cancelled' ? 'cancelled' : 'failed', message: error.message });
        }
        this.scheduleRefresh(0);
    }

    /** The spec of a document without errors, or why there is none. */
    private lower(document: LangiumDocument): { spec: ScrubSpec } | { problem: string } {
        const error = document.diagnostics?.find(d => d.severity === 1);
        if (error) return { problem: `the file has errors: ${error.message} (line ${error.range.start.line + 1})` };
        try {
            return { spec: this.Hyp.lowering.HypLowering.lower(document) };
        } catch (e) {
            return { problem: (e as Error).message };
        }
    }

    private key(spec: ScrubSpec, hypothesis: string): string {
        return scrubJobKey(spec, hypothesis, this.settings);
    }

    private async document(uri: string): Promise<LangiumDocument | undefined> {
        const parsed = URI.parse(uri);
        if (!this.shared.workspace.LangiumDocuments.getDocument(parsed)) return undefined;
        await this.shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, parsed);
        return this.shared.workspace.LangiumDocuments.getDocument(parsed);
    }

    private scheduleRefresh(delay = REFRESH_INTERVAL_MS): void {
        if (this.refreshTimer && delay > 0) return;
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => {
            this.refreshTimer = undefined;
            this.deps.client.refresh();
        }, delay);
    }
}

function doneState(stored: StoredResult, stale: boolean): HypothesisScrubState {
    const r = stored.result as ScrubResult;
    return {
        kind: 'done',
        stale,
        summary: { lossRecovered: r.lossRecovered, ci95: r.ci95, samples: r.samples, seconds: r.seconds, provider: r.provider, providerFallbacks: r.providerFallbacks ?? [] },
        ...(stored.nodeEffects && { nodeEffects: stored.nodeEffects }),
    };
}
