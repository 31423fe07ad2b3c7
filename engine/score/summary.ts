// A result from per-root values: loss recovered with its CI, the shares of roots made worse and
// better, the roots hurt most. Shared by a whole run and by merged shards, which must agree exactly.
import { HypError } from '../errors.js';
import type { PhaseSeconds, ScrubResult } from '../result.js';
import type { AblationMode, MetricSpec, UnimportantMode } from '../spec.js';
import { isScore } from './behaviours.js';
import { lossRecovered } from './statistics.js';

/** Per-root behaviour values (as losses) of roots `from`, `from + 1`, …, with what computing them took. */
export interface RootValues {
    from: number;
    clean: Float64Array;
    scrubbed: Float64Array;
    random: Float64Array;
    examples: Int32Array;
    stats: ScrubResult['stats'];
    seconds: number;
}

/** Consecutive blocks of roots as one: arrays concatenated, counts and times added up. */
export function concatRootValues(blocks: readonly RootValues[]): RootValues {
    const cat = <T extends Float64Array | Int32Array>(make: (n: number) => T, f: (v: RootValues) => T): T => {
        const out = make(blocks.reduce((a, v) => a + f(v).length, 0));
        let at = 0;
        for (const v of blocks) {
            out.set(f(v), at);
            at += f(v).length;
        }
        return out;
    };
    const sum = (f: (v: RootValues) => number) => blocks.reduce((a, v) => a + f(v), 0);
    const phases = blocks.map(v => v.stats.phaseSeconds);
    let phaseSeconds: PhaseSeconds | undefined;
    // Absent when a block does not report them (a shard file written before they were kept).
    if (phases.every(p => p !== undefined)) {
        phaseSeconds = { plan: 0, clean: 0, assemble: 0, local: 0, score: 0 };
        for (const p of phases as PhaseSeconds[]) for (const k of Object.keys(phaseSeconds) as (keyof PhaseSeconds)[]) phaseSeconds[k] += p[k];
    }
    return {
        from: blocks[0].from,
        clean: cat(n => new Float64Array(n), v => v.clean),
        scrubbed: cat(n => new Float64Array(n), v => v.scrubbed),
        random: cat(n => new Float64Array(n), v => v.random),
        examples: cat(n => new Int32Array(n), v => v.examples),
        stats: {
            requests: sum(v => v.stats.requests),
            computedRequests: sum(v => v.stats.computedRequests),
            cleanExamples: sum(v => v.stats.cleanExamples),
            sessionRuns: sum(v => v.stats.sessionRuns),
            fusedRuns: sum(v => v.stats.fusedRuns ?? 0),
            ...(phaseSeconds && { phaseSeconds }),
        },
        seconds: sum(v => v.seconds),
    };
}

/** What a result says besides its numbers. */
export interface ResultMeta {
    hypothesis: string;
    metric: MetricSpec;
    ablation: AblationMode;
    unimportant: UnimportantMode;
    provider: string;
    providerFallbacks: string[];
    samples: number;
    seed: number;
    perExample: boolean;
}

/** Loss recovered with its CI, shares of roots made worse and better, and the roots hurt most. */
export function summarise(v: RootValues, meta: ResultMeta): ScrubResult {
    const { metric } = meta;
    const lr = lossRecovered(v.clean, v.scrubbed, v.random, meta.seed);
    const gap = lr.random - lr.clean;
    if (!(Math.abs(gap) > 1e-12 * Math.max(1, Math.abs(lr.clean)))) {
        throw new HypError(`the model does no better than the random baseline on these ${meta.samples} roots, so loss recovered is undefined`,
            'degenerate-baseline', undefined, 'check the metric, the label field and the model');
    }
    // Scores are negated back for display; `+ 0` turns the −0 of a negated 0 into 0.
    const sign = isScore(metric) ? -1 : 1;
    const shown = (x: number) => sign * x + 0;
    let worse = 0, better = 0;
    const hurt: { example: number; clean: number; scrubbed: number; delta: number }[] = [];
    for (let i = 0; i < meta.samples; i++) {
        const delta = v.scrubbed[i] - v.clean[i];
        const tol = 1e-6 * Math.max(1, Math.abs(v.clean[i]));
        if (delta > tol) worse++;
        else if (delta < -tol) better++;
        hurt.push({ example: v.examples[i], clean: shown(v.clean[i]), scrubbed: shown(v.scrubbed[i]), delta });
    }
    hurt.sort((a, b) => b.delta - a.delta || a.example - b.example);
    // An example drawn as a root more than once (more samples than rows) is listed once, at its worst.
    const listed = new Set<number>();
    const hurtMost = hurt.filter(h => h.delta > 0 && !listed.has(h.example) && listed.add(h.example)).slice(0, 10);
    const result: ScrubResult = {
        hypothesis: meta.hypothesis,
        lossRecovered: lr.lossRecovered,
        ci95: lr.ci95,
        clean: shown(lr.clean),
        scrubbed: shown(lr.scrubbed),
        random: shown(lr.random),
        samples: meta.samples,
        seed: meta.seed,
        metric: metric.kind,
        ablation: meta.ablation,
        unimportant: meta.unimportant,
        provider: meta.provider,
        providerFallbacks: meta.providerFallbacks,
        seconds: v.seconds,
        worse: worse / meta.samples,
        better: better / meta.samples,
        hurtMost: hurtMost.map(({ example, clean, scrubbed }) => ({ example, clean, scrubbed })),
        stats: v.stats,
    };
    if (meta.perExample) {
        result.perExample = {
            examples: [...v.examples],
            clean: Array.from(v.clean, shown),
            scrubbed: Array.from(v.scrubbed, shown),
            random: Array.from(v.random, shown),
        };
    }
    return result;
}
