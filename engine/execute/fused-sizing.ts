// Roots per chunk for the fused strategy. A fused chunk is one run that holds, at its peak, the
// pools of every tensor it computes and the local functions' intermediates, all on the device: so
// its size comes from the device's memory (a GPU's, or the memory budget on the CPU), not from the
// staged path's batches, which bound what one local-function run holds.
import type { PreparedScrub } from '../prepare.js';
import type { HypothesisSpec } from '../spec.js';
import { planScrub } from '../plan/planner.js';
import { countUses } from './executor.js';

/**
 * Device memory a fused chunk may take when a GPU runs it and none is given (`deviceMemory`):
 * conservative, since onnxruntime-node does not say how much a GPU has.
 */
export const DEFAULT_DEVICE_MEMORY = 8 * 1024 ** 3;

/**
 * Share of the device memory a chunk's estimate may take: the estimate leaves out onnxruntime's
 * own buffers, and is low: induction refined at half the 2 GiB CPU budget (342 roots a chunk)
 * peaked 2.2 GiB above its staged run, about twice the estimate.
 */
const DEVICE_SHARE = 0.25;

const PROBE_ROOTS = 256;
const MIN_CHUNK = 16;

export interface FusedSizingInput {
    samples: number;
    seed: number;
    /** Roots per chunk the host's memory budget allows (scrub.ts, sizingFor): the chunk's feeds and outputs live there. */
    hostChunk: number;
    /** Bytes of device memory a chunk may take; default DEFAULT_DEVICE_MEMORY on a GPU, the host's budget on the CPU. */
    deviceMemory: number;
    /** Root r's dataset example (scrub.ts, rootExample). */
    rootExample: (r: number, n: number, seed: number) => number;
}

/**
 * Roots per fused chunk: the device bytes a root takes, estimated from a probe plan of the first
 * roots: every computed request twice (its pool row, and a gathered input of its readers), every
 * fed row once, and per computed request an average local function's intermediates (the model's
 * tensors that are not boundary tensors, over its computed tensors); within DEVICE_SHARE of the
 * device memory and the host's chunk.
 */
export function fusedChunkSize(prepared: PreparedScrub, hypothesis: HypothesisSpec, input: FusedSizingInput): number {
    const n = prepared.dataset.rows.length;
    const probe = Math.min(PROBE_ROOTS, input.samples);
    const rootIds = Int32Array.from({ length: probe }, (_, i) => i);
    const plan = planScrub(prepared.g, prepared.planNodes(hypothesis), rootIds.map(r => input.rootExample(r, n, input.seed)), rootIds, {
        seed: input.seed, ablation: hypothesis.options.ablation, unimportant: hypothesis.options.unimportant, datasetSize: n,
        cuts: prepared.cuts, sumCuts: prepared.sumCuts,
    });
    const live = countUses(plan);
    const bytes = (t: string) => prepared.tensorBytes.get(t) ?? 0;
    const intermediates = Math.max(0, prepared.modelBytesPerExample - prepared.bytesPerExample) / Math.max(1, prepared.g.computedTensors.length);
    let perProbe = 0;
    plan.table.requests.forEach((r, id) => {
        if (live[id] === 0) return;
        perProbe += r.kind === 'computed' ? 2 * bytes(r.tensor) + intermediates : bytes(r.tensor);
    });
    const perRoot = Math.max(1, perProbe / probe);
    const device = Math.floor((DEVICE_SHARE * input.deviceMemory) / perRoot);
    return Math.max(MIN_CHUNK, Math.min(input.hostChunk, device));
}
