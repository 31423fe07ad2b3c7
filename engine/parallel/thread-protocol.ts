// Messages between a scrub's main thread and its scrub threads (worker_threads): structured
// clones, with the clean cache's SharedArrayBuffers shared and per-root arrays transferred.
import type { SharedCleanCache } from '../execute/clean-cache.js';
import type { PrepareOptions } from '../prepare.js';
import type { HypothesisSpec, ScrubSpec } from '../spec.js';
import type { RootValues } from '../score/summary.js';
import type { ErrorFields } from '../errors.js';

/** What a thread is started with: it prepares the spec itself (its own sessions). */
export interface ThreadData {
    spec: ScrubSpec;
    prepare: PrepareOptions;
    /** Int32[1]: non-zero while the current job is cancelled; checked between session runs. */
    cancel: SharedArrayBuffer;
}

/** One block of roots of one hypothesis, sized by the main thread for this thread's share of the budget. */
export interface RootsJob {
    type: 'roots';
    id: number;
    /** Sent whole: the run may scrub a hypothesis the spec does not list (a node's claim alone). */
    hypothesis: HypothesisSpec;
    seed: number;
    range: { from: number; to: number };
    batchSize: number;
    chunkSize: number;
    /** The run's dataset-wide clean cache, when it has one. */
    cache?: SharedCleanCache;
    cleanTensors: string[];
}

export type ToThread = RootsJob;

export type FromThread =
    | { type: 'ready' }
    | { type: 'prepare-failed'; error: ErrorFields }
    | { type: 'progress'; id: number; fraction: number }
    /** `cleanSeen`: per dataset example, 1 where a root of the block read its clean activations. */
    | { type: 'done'; id: number; values: RootValues; cleanSeen: Uint8Array }
    | { type: 'failed'; id: number; error: ErrorFields };
