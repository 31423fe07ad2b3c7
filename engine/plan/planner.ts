// The scrubbing recursion of DESIGN.md §2.3, run on integer indices only: for each root it draws
// the examples every claim is resampled from and records the activations needed as hash-consed
// requests. No model runs here, so the planner is tested on its own.
import { cutParents, type CleanCut } from '../graph/clean-cut.js';
import type { SumCut } from '../graph/sum-cut.js';
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
    /**
     * Clean cuts per computed tensor (runtime/clean-cuts.ts): a parent assembled whole from one
     * example's clean activation is replaced by the cut's frontier tensors on that example.
     */
    cuts?: ReadonlyMap<string, readonly CleanCut[]>;
    /**
     * Sum cuts per computed tensor (graph/sum-cut.ts): a split parent assembled from clean
     * activations is fed as the sum of its parts' reductions.
     */
    sumCuts?: ReadonlyMap<string, readonly SumCut[]>;
    /**
     * Stop with PlanTooLarge once the table holds more requests than this: a plan that grows
     * exponentially with depth cannot be planned even for one root, and an estimate must end.
     */
    maxRequests?: number;
}

/** Thrown by planScrub when the plan outgrows `maxRequests`. */
export class PlanTooLarge extends Error {
    constructor(readonly requests: number, readonly rootsPlanned: number) {
        super(`the plan holds more than ${requests} requests after ${rootsPlanned} complete roots`);
    }
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
    const outputNode = nodes.find(n => n.graphNode === 'output');
    if (!outputNode) throw new Error('hypothesis has no output node');
    const outputTensor = singleTensor(g, 'output');
    const table = new RequestTable();
    const variants = new Map<string, readonly string[]>();
    const compiled = compileNodes(g, nodes, opts);
    const output = compiled.get(outputNode.name)!;
    const n = roots.length;
    const plan: Plan = {
        table,
        scrubbed: new Int32Array(n),
        clean: new Int32Array(n),
        random: new Int32Array(n),
        randomExamples: new Int32Array(n),
    };
    const maxRequests = opts.maxRequests ?? Infinity;
    let planned = 0;
    for (let r = 0; r < n; r++) {
        const x = roots[r];
        const rng = new Prng(opts.seed, rootIds[r], Stream.scrub);
        // The random baseline is the "nothing matters" hypothesis run on the same stream: its one
        // draw is the first number of the root's scrub stream. Every hypothesis's scrub is then
        // paired with the baseline through common random numbers, and "nothing matters" gives
        // exactly 0%, as the design defines it.
        const randomExample = rng.copy().nextInt(opts.datasetSize);
        plan.scrubbed[r] = scrub(output, x, rng);
        plan.clean[r] = table.clean(outputTensor, x);
        plan.randomExamples[r] = randomExample;
        plan.random[r] = table.clean(outputTensor, randomExample);
        planned = r + 1;
    }
    return plan;

    function scrub(node: CompiledNode, x: number, rng: Prng): number {
        if (table.size > maxRequests) throw new PlanTooLarge(table.size, planned);
        // A node whose subtree draws nothing and reads x's own inputs everywhere is x's clean activation.
        if (node.alwaysClean) return table.clean(node.tensor, x);
        // A node whose subtree draws nothing is a function of its example: plan it once per example.
        const known = node.memo?.get(x);
        if (known !== undefined) return known;
        // Per slot (I-parents first, then unimportant G-parents): a request id, or an example
        // whose clean activation is the source, or -1 for an ablation constant.
        const requests = node.slotRequests;
        const examples = node.slotExamples;
        const iParents = node.iParents;
        for (let j = 0; j < iParents.length; j++) {
            const p = iParents[j].plan;
            if (p === undefined) {
                // An input part as I-parent: its feature is the part's raw value, so every example
                // in its class has the same value there as x: x's own input is the same activation.
                requests[j] = -1;
                examples[j] = x;
                continue;
            }
            // The recursion only touches other nodes' scratch arrays (the hypothesis is a DAG).
            requests[j] = scrub(p, drawFromClass(p.node, x, rng), rng);
            examples[j] = -1;
        }
        let shared = -1;
        for (let u = node.iParents.length; u < requests.length; u++) {
            requests[u] = -1;
            if (opts.ablation !== 'resample') {
                examples[u] = -1;
            } else if (opts.unimportant === 'separate') {
                examples[u] = rng.nextInt(opts.datasetSize);
            } else {
                if (shared < 0) shared = rng.nextInt(opts.datasetSize);
                examples[u] = shared;
            }
        }
        const inputs = new Array<Assembly>(node.parents.length);
        for (let k = 0; k < inputs.length; k++) {
            const parentTensor = node.parents[k];
            const slots = node.slotsOf[k];
            // A parent one G node covers is taken whole: the table's shared assembly for it.
            if (slots.length === 1) {
                inputs[k] = table.whole(sourceOf(slots[0], parentTensor, x, requests, examples));
                continue;
            }
            const sources = new Array<number>(slots.length);
            for (let i = 0; i < slots.length; i++) sources[i] = sourceOf(slots[i], parentTensor, x, requests, examples);
            inputs[k] = { sources };
        }
        const id = computed(node, inputs);
        node.memo?.set(x, id);
        return id;
    }

    /** The request a slot's elements of a parent come from (scrub's per-slot scratch). */
    function sourceOf(slot: number, parentTensor: string, x: number, requests: Int32Array, examples: Int32Array): number {
        return slot === NOT_READ ? table.clean(parentTensor, x)
            : requests[slot] >= 0 ? requests[slot]
            : examples[slot] >= 0 ? table.clean(parentTensor, examples[slot])
            : table.constant(parentTensor, opts.ablation === 'mean' ? 'mean' : 'zero');
    }

    function computed(node: CompiledNode, inputs: Assembly[]): number {
        const { tensor, parents, cuts, sumCuts } = node;
        if (cuts === undefined && sumCuts === undefined) return table.computed(tensor, parents, inputs);
        // Plain loops over precomputed indices: this runs for every computed request of a plan.
        let mask = 0;
        let sumMask = 0;
        if (cuts !== undefined) for (let i = 0; i < cuts.length; i++) if (cleanExample(inputs[cuts[i].parent]) >= 0) mask |= 1 << i;
        if (sumCuts !== undefined) {
            for (let i = 0; i < sumCuts.length; i++) {
                const k = sumCuts[i].parent;
                // The clean cut, where it applies, is cheaper still.
                if (mask & node.cutBits[k]) continue;
                if (allClean(inputs[k].sources)) sumMask |= 1 << i;
            }
        }
        if (mask === 0 && sumMask === 0) return table.computed(tensor, parents, inputs);
        const cutInputs: Assembly[] = [];
        for (let k = 0; k < inputs.length; k++) {
            const a = inputs[k];
            const i = node.cutOf[k];
            if (i >= 0 && mask & (1 << i)) {
                const example = cleanExample(a);
                for (const f of cuts![i].frontier) cutInputs.push(table.whole(table.clean(f, example)));
                continue;
            }
            const j = node.sumCutOf[k];
            if (j >= 0 && sumMask & (1 << j)) {
                const partSums = sumCuts![j].partSums;
                const sources = new Array<number>(a.sources.length);
                for (let q = 0; q < sources.length; q++) sources[q] = table.clean(partSums, (table.get(a.sources[q]) as { example: number }).example);
                cutInputs.push({ sources, sum: true });
                continue;
            }
            cutInputs.push(a);
        }
        const key = mask * 65536 + sumMask;
        let variant = node.variants.get(key);
        if (variant === undefined) node.variants.set(key, variant = variantParents(tensor, key, () => cutParents(parents, cuts ?? [], mask, sumCuts ?? [], sumMask)));
        return table.computed(tensor, variant, cutInputs);
    }

    /** Whether every source is a clean activation. */
    function allClean(sources: readonly number[]): boolean {
        for (let i = 0; i < sources.length; i++) if (table.get(sources[i]).kind !== 'clean') return false;
        return true;
    }

    /** The example when the assembly is one example's whole clean activation; else -1. */
    function cleanExample(a: Assembly): number {
        const first = table.get(a.sources[0]);
        if (first.kind !== 'clean') return -1;
        for (const s of a.sources) if (s !== a.sources[0]) return -1;
        return first.example;
    }

    /** One parent list per (tensor, cuts applied), so that the executor can group requests by it. */
    function variantParents(tensor: string, key: number, make: () => string[]): readonly string[] {
        const name = `${tensor}\u0000${key}`;
        let list = variants.get(name);
        if (list === undefined) variants.set(name, list = make());
        return list;
    }
}

/** A plan node with its G structure resolved once per plan, so the per-root recursion only indexes arrays. */
interface CompiledNode {
    node: PlanNode;
    tensor: string;
    /** The tensor's G-parent tensors (its local function's inputs). */
    parents: readonly string[];
    cuts: readonly CleanCut[] | undefined;
    sumCuts: readonly SumCut[] | undefined;
    /** Per parent index: the first clean cut of that parent (-1: none), likewise the first sum cut, and the bits of every clean cut of it. */
    cutOf: Int32Array;
    sumCutOf: Int32Array;
    cutBits: Int32Array;
    /** I-parents in the file's order: a plan node, or an input part (no plan). */
    iParents: { plan?: CompiledNode }[];
    /** Per parent tensor, per G node covering it: the slot its source is in (NOT_READ: a part the node does not read). */
    slotsOf: Int32Array[];
    /** Scratch per slot, filled by one call of scrub. */
    slotRequests: Int32Array;
    slotExamples: Int32Array;
    /** Plan per example, for nodes whose subtree makes no draw. */
    memo: Map<number, number> | null;
    /** Parent lists by cut masks (shared with other nodes on the same tensor through variantParents). */
    variants: Map<number, readonly string[]>;
    /**
     * Whether the node is always its example's clean activation: no draws below it, and every
     * G-parent claimed by an input part or by another such node (the request would collapse).
     */
    alwaysClean: boolean;
}

/** The slot of a parent part the node does not read: fed the node's own example's clean activation. */
const NOT_READ = -1;

function compileNodes(g: GraphG, nodes: readonly PlanNode[], opts: PlanOptions): Map<string, CompiledNode> {
    const byName = new Map(nodes.map(n => [n.name, n]));
    const compiled = new Map<string, CompiledNode>();
    const compile = (node: PlanNode): CompiledNode => {
        const done = compiled.get(node.name);
        if (done) return done;
        const tensor = singleTensor(g, node.graphNode);
        const slotOfGNode = new Map<string, number>();
        const iParents = node.parents.map((name, j) => {
            const parent = byName.get(name);
            slotOfGNode.set(parent === undefined ? name : parent.graphNode, j);
            return { plan: parent === undefined ? undefined : compile(parent) };
        });
        // Unimportant G-parents take the next slots, in G's order (the order of their draws). Only
        // real parents, part by part (graph/part-deps.ts): a part of a parent tensor that no element
        // of this node reads is not a G-parent, is drawn for nothing, and takes the node's own
        // example's clean activation (slot NOT_READ), whatever its value the node is the same.
        let slots = iParents.length;
        const real = new Set(g.partParents(node.graphNode));
        for (const gParent of g.parents(node.graphNode)) {
            if (!slotOfGNode.has(gParent) && real.has(gParent)) slotOfGNode.set(gParent, slots++);
        }
        const parents = g.tensorParents(tensor);
        const slotsOf = parents.map(t => Int32Array.from(g.nodesOfTensor(t), gNode => {
            const slot = slotOfGNode.get(gNode);
            if (slot === undefined && real.has(gNode)) throw new Error(`planner: no source for G node ${gNode} of ${tensor}`);
            return slot ?? NOT_READ;
        }));
        const drawsNothing = iParents.every(p => p.plan === undefined || (p.plan.node.classes === null && p.plan.memo !== null))
            && (slots === iParents.length || opts.ablation !== 'resample');
        const alwaysClean = drawsNothing && slots === iParents.length
            && iParents.every(p => p.plan === undefined || p.plan.alwaysClean);
        const cuts = opts.cuts?.get(tensor), sumCuts = opts.sumCuts?.get(tensor);
        const cutBits = new Int32Array(parents.length);
        cuts?.forEach((cut, i) => { cutBits[cut.parent] |= 1 << i; });
        const c: CompiledNode = {
            node, tensor, parents, cuts, sumCuts, iParents, slotsOf,
            cutOf: Int32Array.from(parents, (_, k) => cuts?.findIndex(cut => cut.parent === k) ?? -1),
            sumCutOf: Int32Array.from(parents, (_, k) => sumCuts?.findIndex(cut => cut.parent === k) ?? -1),
            cutBits,
            slotRequests: new Int32Array(slots), slotExamples: new Int32Array(slots),
            memo: drawsNothing ? new Map() : null, alwaysClean, variants: new Map(),
        };
        compiled.set(node.name, c);
        return c;
    };
    for (const node of nodes) compile(node);
    return compiled;
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
