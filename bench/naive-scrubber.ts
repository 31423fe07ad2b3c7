// The reference the engine is measured against (and checked against): causal scrubbing as the
// recursion of DESIGN.md §2.3 reads, one root at a time, one session run per activation, no cache,
// no hash-consing, no batching across roots, and no shortcut for requests that are clean. It draws
// the same random numbers in the same order as the planner, so its per-root values must equal the
// engine's up to float rounding.
import type { Activation, ModelRunner } from '../engine/execute/model-runner.js';
import { exampleSize } from '../engine/execute/model-runner.js';
import type { GraphG } from '../engine/graph/types.js';
import type { PlanNode, PlanOptions } from '../engine/plan/planner.js';
import { Prng, Stream } from '../engine/util/prng.js';

export interface NaiveRoot {
    scrubbed: Activation;
    clean: Activation;
    random: Activation;
    /** Session runs this root took. */
    runs: number;
}

/** Scrubs one root (example `x`, root index `rootId`) the naive way. */
export async function naiveScrubRoot(g: GraphG, runner: ModelRunner, nodes: readonly PlanNode[], x: number, rootId: number, opts: PlanOptions): Promise<NaiveRoot> {
    const byName = new Map(nodes.map(n => [n.name, n]));
    let runs = 0;
    const clean = async (tensor: string, example: number): Promise<Activation> => {
        runs++;
        return (await runner.clean(Int32Array.of(example), [tensor])).get(tensor)!;
    };
    const tensorOf = (gNode: string) => g.nodes.get(gNode)!.tensors[0].tensor;

    const scrub = async (node: PlanNode, example: number, rng: Prng): Promise<Activation> => {
        const tensor = tensorOf(node.graphNode);
        const sources = new Map<string, { act: Activation } | { example: number } | { constant: true }>();
        for (const parentName of node.parents) {
            const parent = byName.get(parentName);
            if (parent === undefined) {
                sources.set(parentName, { example });
                continue;
            }
            const xp = parent.classes === null ? example : pick(parent.classes.members[parent.classes.classOf[example]], rng);
            sources.set(parent.graphNode, { act: await scrub(parent, xp, rng) });
        }
        let shared: number | undefined;
        const real = g.partParents(node.graphNode);
        for (const gParent of g.parents(node.graphNode)) {
            if (sources.has(gParent)) continue;
            // A part no element of the node reads is no G-parent: nothing is drawn for it.
            if (!real.includes(gParent)) {
                sources.set(gParent, { example });
                continue;
            }
            if (opts.ablation !== 'resample') sources.set(gParent, { constant: true });
            else if (opts.unimportant === 'separate') sources.set(gParent, { example: rng.nextInt(opts.datasetSize) });
            else sources.set(gParent, { example: shared ??= rng.nextInt(opts.datasetSize) });
        }
        const parents = g.tensorParents(tensor);
        const feeds: Activation[] = [];
        for (const parentTensor of parents) {
            const owners = g.nodesOfTensor(parentTensor);
            const acts: Activation[] = [];
            for (const gNode of owners) {
                const s = sources.get(gNode)!;
                if ('act' in s) acts.push(s.act);
                else if ('example' in s) acts.push(await clean(parentTensor, s.example));
                else acts.push(await runner.constant(parentTensor, opts.ablation === 'mean' ? 'mean' : 'zero'));
            }
            feeds.push(mix(acts, owners.length > 1 ? runner.partOwners(parentTensor) : undefined));
        }
        runs++;
        return runner.local(tensor, parents, feeds);
    };

    const output = nodes.find(n => n.graphNode === 'output')!;
    const outputTensor = tensorOf('output');
    const scrubbed = await scrub(output, x, new Prng(opts.seed, rootId, Stream.scrub));
    const randomExample = new Prng(opts.seed, rootId, Stream.scrub).nextInt(opts.datasetSize);
    return { scrubbed, clean: await clean(outputTensor, x), random: await clean(outputTensor, randomExample), runs };
}

function pick(members: Int32Array, rng: Prng): number {
    return members[rng.nextInt(members.length)];
}

/** One example's tensor taking each element from the part that owns it. */
function mix(acts: Activation[], owner: Uint16Array | undefined): Activation {
    const size = exampleSize(acts[0].dims);
    const data = (acts[0].data as Float32Array).slice(acts[0].offset, acts[0].offset + size);
    if (owner !== undefined) {
        for (let i = 0; i < size; i++) {
            const a = acts[owner[i]];
            (data as Float32Array)[i] = (a.data as Float32Array)[a.offset + i];
        }
    }
    return { data, offset: 0, dims: acts[0].dims };
}
