// The scrubbing recursion of DESIGN.md §2.3, run on integer indices only: for each root it draws
// the examples every claim is resampled from and records the activations needed as hash-consed
// requests. No model runs here, so the planner is tested on its own.
import type { GraphG } from '../graph/types.js';
import type { AblationMode, UnimportantMode } from '../spec.js';
import { Prng, Stream } from '../util/prng.js';
import { type Assembly, RequestTable } from './requests.js';

/** An interpretation node prepared for planning: its feature classes are precomputed. */
export interface PlanNode {
    name: string;
    graphNode: string;
    /** Names of I-parents: other plan nodes or input G nodes (`input`, `input.z1`). */
    parents: string[];
    /**
     * Feature classes over the dataset: `classOf[j]` is example j's class, `members[k]` the
     * examples of class k. Null when the node has no feature (its class is the example alone).
     */
    classes: { classOf: Int32Array; members: Int32Array[] } | null;
}

export interface PlanOptions {
    seed: number;
    ablation: AblationMode;
    unimportant: UnimportantMode;
    datasetSize: number;
}

/** The requests of one chunk of roots, and each root's three output requests. */
export interface Plan {
    table: RequestTable;
    /** Per root (in the order given): the scrubbed, clean and random-baseline output requests. */
    scrubbed: Int32Array;
    clean: Int32Array;
    random: Int32Array;
    /** The example drawn for each root's random baseline. */
    randomExamples: Int32Array;
}

/**
 * Plans the scrub of `roots` (root r is example `roots[r]`, with its own random stream derived
 * from `rootIds[r]`) for the hypothesis whose nodes are `nodes` (the output node maps to `output`).
 */
export function planScrub(g: GraphG, nodes: readonly PlanNode[], roots: Int32Array, rootIds: Int32Array, opts: PlanOptions): Plan {
    const byName = new Map(nodes.map(n => [n.name, n]));
    const outputNode = nodes.find(n => n.graphNode === 'output');
    if (!outputNode) throw new Error('hypothesis has no output node');
    const outputTensor = singleTensor(g, 'output');
    const table = new RequestTable();
    const n = roots.length;
    const plan: Plan = {
        table,
        scrubbed: new Int32Array(n),
        clean: new Int32Array(n),
        random: new Int32Array(n),
        randomExamples: new Int32Array(n),
    };
    for (let r = 0; r < n; r++) {
        const x = roots[r];
        const rng = new Prng(opts.seed, rootIds[r], Stream.scrub);
        plan.scrubbed[r] = scrub(outputNode, x, rng);
        plan.clean[r] = table.clean(outputTensor, x);
        // The random baseline is the "nothing matters" hypothesis run on the same stream: its one
        // draw is the first number of the root's scrub stream. Every hypothesis's scrub is then
        // paired with the baseline through common random numbers, and "nothing matters" gives
        // exactly 0%, as the design defines it.
        const randomExample = new Prng(opts.seed, rootIds[r], Stream.scrub).nextInt(opts.datasetSize);
        plan.randomExamples[r] = randomExample;
        plan.random[r] = table.clean(outputTensor, randomExample);
    }
    return plan;

    function scrub(node: PlanNode, x: number, rng: Prng): number {
        const tensor = singleTensor(g, node.graphNode);
        // Request id of the parent tensor for each G-parent node, or an example for clean sources.
        const sources = new Map<string, { request: number } | { example: number }>();
        for (const parentName of node.parents) {
            const parent = byName.get(parentName);
            if (parent === undefined) {
                // An input part as I-parent: its feature is the part's raw value, so every example
                // in its class has the same value there as x: x's own input is the same activation.
                sources.set(parentName, { example: x });
                continue;
            }
            const xp = drawFromClass(parent, x, rng);
            sources.set(parent.graphNode, { request: scrub(parent, xp, rng) });
        }
        let shared: number | undefined;
        for (const gParent of g.parents(node.graphNode)) {
            if (sources.has(gParent)) continue;
            if (opts.ablation !== 'resample') {
                sources.set(gParent, { request: -1 });
                continue;
            }
            if (opts.unimportant === 'separate') {
                sources.set(gParent, { example: rng.nextInt(opts.datasetSize) });
            } else {
                shared ??= rng.nextInt(opts.datasetSize);
                sources.set(gParent, { example: shared });
            }
        }
        const inputs: Assembly[] = g.tensorParents(tensor).map(parentTensor => ({
            sources: g.nodesOfTensor(parentTensor).map(gNode => {
                const s = sources.get(gNode);
                if (s === undefined) throw new Error(`planner: no source for G node ${gNode} of ${tensor}`);
                if ('example' in s) return table.clean(parentTensor, s.example);
                if (s.request < 0) return table.constant(parentTensor, opts.ablation === 'mean' ? 'mean' : 'zero');
                return s.request;
            }),
        }));
        return table.computed(tensor, inputs);
    }
}

function drawFromClass(node: PlanNode, x: number, rng: Prng): number {
    if (node.classes === null) return x;
    const members = node.classes.members[node.classes.classOf[x]];
    return members[rng.nextInt(members.length)];
}

/** The one tensor a hook or output G node covers (only input nodes may span several). */
function singleTensor(g: GraphG, gNode: string): string {
    const node = g.nodes.get(gNode);
    if (node === undefined || node.tensors.length !== 1) throw new Error(`planner: G node ${gNode} must cover exactly one tensor`);
    return node.tensors[0].tensor;
}
