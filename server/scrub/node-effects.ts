// Each I node's own effect: the hypothesis with only that node's feature claim kept and every other
// node written without a feature (computed on its child's example, i.e. not resampled), scrubbed
// alongside the hypothesis in the same worker run so that model and dataset are prepared once.
import type { ScrubResult } from '../../engine/result.js';
import type { HypothesisSpec } from '../../engine/spec.js';

/** Separates the hypothesis's name from the node's in a variant's name (not a legal name character). */
const SEPARATOR = '#alone:';

/** The one-claim variants of a hypothesis, one per node that has a feature. */
export function nodeEffectVariants(h: HypothesisSpec): HypothesisSpec[] {
    return h.nodes
        .filter(n => n.feature !== null && n.graphNode !== 'output')
        .map(kept => ({
            ...h,
            name: `${h.name}${SEPARATOR}${kept.name}`,
            nodes: h.nodes.map(n => (n === kept || n.graphNode === 'output' ? n : { ...n, feature: null })),
        }));
}

/** Splits a job's results into the hypothesis's own and the per-node effects. */
export function splitNodeEffects(hypothesis: string, results: ScrubResult[]): {
    own: ScrubResult | undefined;
    effects: Record<string, { lossRecovered: number; ci95: [number, number] }>;
} {
    const effects: Record<string, { lossRecovered: number; ci95: [number, number] }> = {};
    for (const r of results) {
        if (r.hypothesis.startsWith(`${hypothesis}${SEPARATOR}`)) {
            effects[r.hypothesis.slice(hypothesis.length + SEPARATOR.length)] = { lossRecovered: r.lossRecovered, ci95: r.ci95 };
        }
    }
    return { own: results.find(r => r.hypothesis === hypothesis), effects };
}
