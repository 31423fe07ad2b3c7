// Messages between the language server's worker supervisor and the scrub worker process (over
// the IPC channel of child_process.fork). Plain JSON: a spec in, progress, log lines and results out.
import type { ErrorFields } from '../errors.js';
import type { ScrubResult } from '../result.js';
import type { ProviderChoice } from '../runtime/session.js';
import type { ScrubSpec } from '../spec.js';
import type { ExecChoice } from '../execute/exec-strategy.js';

/** How every scrub of a job runs: the engine's scrub options the editor's settings set. */
export interface WorkerRunOptions {
    samples?: number;
    seed?: number;
    ep: ProviderChoice;
    /** CPU threads the scrub may use (engine's `threads`); every core when absent. */
    threads?: number;
    /** How chunks execute (engine's `exec`); auto when absent. */
    exec?: ExecChoice;
    /** Bytes of GPU memory a fused chunk may take (engine's `deviceMemory`); the default when absent. */
    deviceMemory?: number;
    /**
     * Whether the spec's features module may be imported: it is user code, run only in a trusted
     * workspace. The supervisor refuses such jobs earlier; this is the worker's own guard.
     */
    allowFeaturesModule: boolean;
}

/** Options of one job; the worker passes them to the engine's scrub. */
export interface WorkerScrubOptions extends WorkerRunOptions {
    hypotheses: string[];
    perExample: boolean;
}

/** Options of an exploration job (engine/explore/): a discover search or a challenge of one hypothesis; every scrub of the search runs so. */
export interface WorkerExploreOptions extends WorkerRunOptions {
    kind: 'discover' | 'challenge';
    /** The hypothesis searched from, or challenged. */
    hypothesis: string;
    /** The name of what discover finds. */
    name: string;
}

/** What an exploration job found: `.hyp` text to insert below the hypothesis, and one line saying what it is. */
export interface ExploreOutcome {
    kind: 'discover' | 'challenge';
    hypothesis: string;
    text: string;
    summary: string;
    /** A challenge's findings as data, for an editor that shows them in a view rather than inserting `text`. */
    challenge?: ChallengeReport;
}

/** A loss recovered with its 95% CI (fractions). */
export interface ReportedScore {
    lossRecovered: number;
    ci95: [number, number];
}

/** One refinement of a challenged hypothesis, ready to paste. */
export interface ReportedRefinement {
    /** The block's name in `text` (unused in the file when the challenge ran). */
    name: string;
    description: string;
    score: ReportedScore;
    /** Loss recovered of the hypothesis minus the refinement's, and its paired standard error. */
    drop: number;
    dropSe: number;
    /** Whether this drop counts against the hypothesis under the rule (larger than the CI half-width, significant). */
    counts: boolean;
    /** The `hypothesis name extends …` block with its comment header. */
    text: string;
}

/** What `hyp challenge` reports, as data. */
export interface ChallengeReport {
    hypothesis: string;
    score: ReportedScore;
    flagged: boolean;
    /** The verdict in one line (the summary's text after the hypothesis's name). */
    verdict: string;
    /** The decision rule in words (engine/explore/challenge.ts FLAG_RULE). */
    rule: string;
    /** The refinements with the largest drops, largest first, and the counter-refinement when it is not among them. */
    refinements: ReportedRefinement[];
    /** Implied refinements scrubbed (the Bonferroni family), candidates there were, and those the budget left out. */
    scrubbedRefinements: number;
    candidates: number;
    unscrubbed: number;
    samples: number;
    seed: number;
    scrubs: number;
    seconds: number;
}

export type ToWorker =
    | { type: 'scrub'; id: number; spec: ScrubSpec; options: WorkerScrubOptions }
    | { type: 'explore'; id: number; spec: ScrubSpec; options: WorkerExploreOptions };

/** A failure as the worker reports it: the engine's HypError fields, or a JS error's message. */
export type WorkerError = ErrorFields;

export type FromWorker =
    | { type: 'ready'; pid: number }
    | { type: 'log'; line: string }
    | { type: 'progress'; id: number; hypothesis: string; fraction: number; index: number; count: number }
    | { type: 'result'; id: number; results: ScrubResult[] }
    | { type: 'explored'; id: number; outcome: ExploreOutcome }
    | { type: 'error'; id: number; error: WorkerError };
