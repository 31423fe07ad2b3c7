// The engine's output: a plain, serialisable result per hypothesis. Every number carries its CI
// and the seed that reproduces it.
import type { AblationMode, UnimportantMode } from './spec.js';

export interface ScrubResult {
    hypothesis: string;
    /** Fraction: 1 = as good as the model, 0 = no better than the fully-scrubbed baseline. */
    lossRecovered: number;
    ci95: [number, number];
    /** Mean behaviour of the unmodified model, the scrubbed model and the random baseline, in the metric's units. */
    clean: number;
    scrubbed: number;
    random: number;
    samples: number;
    seed: number;
    metric: string;
    ablation: AblationMode;
    unimportant: UnimportantMode;
    /** The execution provider that ran (after any fallback), and why others were not used. */
    provider: string;
    providerFallbacks: string[];
    seconds: number;
    /** Share of roots whose scrubbed behaviour is worse / better than the clean model's. */
    worse: number;
    better: number;
    /** The roots hurt most by the scrub (largest loss increase), most first. */
    hurtMost: { example: number; clean: number; scrubbed: number }[];
    /** Planner and executor counts, for benchmarks and for the curious. */
    stats: {
        requests: number; computedRequests: number; cleanExamples: number; sessionRuns: number;
        /** Of the session runs, the fused-graph runs (one a chunk; 0 when staged). Absent from results written before it was kept. */
        fusedRuns?: number;
        /** Where the time went: planning, clean full-model runs, stacking parents, local-function runs, scoring. */
        phaseSeconds?: PhaseSeconds;
    };
    /** Per root, in root order: the example and its three behaviour values (metric units). */
    perExample?: { examples: number[]; clean: number[]; scrubbed: number[]; random: number[] };
}

export interface PhaseSeconds {
    plan: number;
    clean: number;
    assemble: number;
    local: number;
    score: number;
}
