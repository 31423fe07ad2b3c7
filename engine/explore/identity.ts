// The identity at the declared granularity: every G node the output depends on claimed, without a
// feature, with every one of its part-level G-parents as I-parent. Every claimed path then runs on
// the root's own example and every G-parent no element reads is the only thing resampled, so it
// recovers exactly 100%: the start of a discover search (DESIGN.md §2.5).
import type { GraphG } from '../graph/types.js';
import { HypError } from '../errors.js';
import { DEFAULT_RUN_OPTIONS, type HypothesisSpec, type InterpNodeSpec, type RunOptions, type ScrubSpec } from '../spec.js';
import { pruneUnread } from './edit.js';

/** Words an I node cannot be named (the grammar's keywords that are not also names). */
const RESERVED = new Set(['and', 'else', 'extends', 'false', 'hypothesis', 'if', 'input', 'node', 'not', 'or', 'output', 'split', 'true']);

/** An I node name for a G node: `A1.p0` → `A1_p0`, distinct from those already taken. */
export function interpNameFor(graphNode: string, taken: Set<string>): string {
    let base = graphNode.replace(/[^_a-zA-Z0-9]/g, '_');
    if (!/^[_a-zA-Z]/.test(base)) base = `n_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
}

/** The identity hypothesis over G (nodes parents first, the output last). */
export function identityHypothesis(g: GraphG, name: string, options: RunOptions): HypothesisSpec {
    const taken = new Set<string>();
    const iName = new Map<string, string>();
    const nodes: InterpNodeSpec[] = [];
    const parentsOf = (graphNode: string) => g.partParents(graphNode).map(p => {
        // Input parts are I-parents by their G name; hook nodes by the I node claiming them.
        const kind = g.nodes.get(p)?.kind;
        return kind === 'input' ? p : iName.get(p);
    }).filter((p): p is string => p !== undefined);
    for (const tensor of g.computedTensors) {
        for (const graphNode of g.nodesOfTensor(tensor)) {
            const node = g.nodes.get(graphNode);
            if (node?.kind !== 'hook' || !g.isAncestor(graphNode, 'output')) continue;
            const n = interpNameFor(graphNode, taken);
            iName.set(graphNode, n);
            nodes.push({ name: n, graphNode, feature: null, parents: parentsOf(graphNode) });
        }
    }
    nodes.push({ name: 'output', graphNode: 'output', feature: null, parents: parentsOf('output') });
    // A hook upstream of the output only through parts nothing reads (positions a readout never
    // gathers) would be claimed and read by no one.
    return pruneUnread({ name, nodes, options }).hypothesis;
}

/**
 * The run options a hypothesis of this file gets when it sets none: the engine defaults, with the
 * samples, seed, ablation and unimportant mode every hypothesis of the file shares (the spec keeps
 * no top-level options of its own, and a file's hypotheses inherit them).
 */
export function fileRunOptions(spec: ScrubSpec): RunOptions {
    const hs = spec.hypotheses;
    const shared = <K extends keyof RunOptions>(key: K): RunOptions[K] =>
        hs.length > 0 && hs.every(h => h.options[key] === hs[0].options[key]) ? hs[0].options[key] : DEFAULT_RUN_OPTIONS[key];
    return { samples: shared('samples'), seed: shared('seed'), ablation: shared('ablation'), unimportant: shared('unimportant') };
}

/** The hypothesis a search starts from: the file's `from`, else the identity over G. */
export function startHypothesis(spec: ScrubSpec, g: GraphG, from: string | undefined): HypothesisSpec {
    if (from === undefined) return identityHypothesis(g, 'identity', fileRunOptions(spec));
    const h = spec.hypotheses.find(x => x.name === from);
    if (h === undefined) {
        throw new HypError(`no hypothesis named "${from}"`, 'unknown-hypothesis', undefined,
            `the file defines: ${spec.hypotheses.map(x => x.name).join(', ') || 'none'}`);
    }
    return h;
}
