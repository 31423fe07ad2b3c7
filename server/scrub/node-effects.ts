// Each I node's own effect: the loss recovered when only that node's claim is scrubbed. Every other
// node keeps its place in I but is pinned to its example: its feature becomes the pair (its
// feature, the model inputs), so resampling it can only pick an example the model cannot tell
// apart, while its children still read its feature as `parent[0]`. The variants run alongside the
// hypothesis in the same worker job, so model and dataset are prepared once.
import type { ScrubResult } from '../../engine/result.js';
import type { DatasetSpec, Expr, HypothesisSpec } from '../../engine/spec.js';

/** Separates the hypothesis's name from the node's in a variant's name (not a legal name character). */
const SEPARATOR = '#alone:';

/** The one-claim variants of a hypothesis, one per node that has a feature. */
export function nodeEffectVariants(h: HypothesisSpec, dataset: DatasetSpec): HypothesisSpec[] {
    const pinned = (kept: string) => new Set(h.nodes.filter(n => n.feature !== null && n.graphNode !== 'output' && n.name !== kept).map(n => n.name));
    const modelInputs: Expr = { kind: 'list', items: dataset.inputs.map(b => b.value) };
    return h.nodes
        .filter(n => n.feature !== null && n.graphNode !== 'output')
        .map(kept => {
            const others = pinned(kept.name);
            return {
                ...h,
                name: `${h.name}${SEPARATOR}${kept.name}`,
                nodes: h.nodes.map(n => {
                    if (n.feature === null) return n;
                    const feature = readPinnedParents(n.feature, others);
                    return { ...n, feature: others.has(n.name) ? { kind: 'list', items: [feature, modelInputs] } : feature };
                }),
            };
        });
}

/** `e` with every reference to a pinned node `p` read as `p[0]` (its original feature value). */
export function readPinnedParents(e: Expr, pinned: ReadonlySet<string>): Expr {
    const go = (x: Expr, shadowed: ReadonlySet<string>): Expr => {
        switch (x.kind) {
            case 'ref':
                return pinned.has(x.name) && !shadowed.has(x.name) ? { kind: 'index', target: x, index: { kind: 'number', value: 0 } } : x;
            case 'number': case 'string': case 'boolean':
                return x;
            case 'list': return { ...x, items: x.items.map(i => go(i, shadowed)) };
            case 'unary': return { ...x, arg: go(x.arg, shadowed) };
            case 'binary': return { ...x, left: go(x.left, shadowed), right: go(x.right, shadowed) };
            case 'conditional': return { ...x, test: go(x.test, shadowed), then: go(x.then, shadowed), else: go(x.else, shadowed) };
            case 'index': return { ...x, target: go(x.target, shadowed), index: go(x.index, shadowed) };
            case 'slice': return { ...x, target: go(x.target, shadowed), ...(x.start && { start: go(x.start, shadowed) }), ...(x.end && { end: go(x.end, shadowed) }) };
            case 'call': return { ...x, args: x.args.map(a => go(a, shadowed)) };
            case 'lambda': return { ...x, body: go(x.body, new Set([...shadowed, ...x.params])) };
        }
    };
    return go(e, new Set());
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
