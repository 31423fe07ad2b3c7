// Stacking parent activations for a local-function run: per request, the box of each parent the
// function reads, taken part by part from the requests that computed them (whole clean
// activations or boxes of sliced outputs), or a sum cut's parts side by side.
import type { Assembly, Request, RequestTable } from '../plan/requests.js';
import { boxExtents, boxRows, boxSegments, copyRows, copyRun, offsetIn, relativeBox, type Box, type BoxRows } from './boxes.js';
import type { ActivationStore } from './executor.js';
import type { FeedBuffers } from './feed-buffers.js';
import { type Activation, type ModelRunner, exampleSize } from './model-runner.js';

/**
 * Stacks, for each request of a batch (`ids`, computed requests of one parent list), the box
 * `need` (whole when undefined) of its `k`-th parent tensor, mixing parts by their masks. The
 * sources are read from the table's flat array: walking each request's assemblies cost as much
 * as the copying.
 */
export function assembleBatch(tensor: string, table: RequestTable, ids: readonly number[], k: number, need: Box | undefined,
    store: ActivationStore, runner: ModelRunner, buffers: FeedBuffers, boxes: BoxCache): Activation {
    const { dims, dtype } = runner.typeOf(tensor);
    const box: Box = need ?? boxes.whole(tensor);
    const inputOf = (id: number) => (table.get(id) as Extract<Request, { kind: 'computed' }>).inputs[k];
    if (inputOf(ids[0]).sum) return stackBatch(tensor, ids.map(inputOf), k, store, box, buffers, boxes);
    const extents = boxExtents(dims, box);
    const size = exampleSize(extents);
    // One feed buffer per parent slot, reused run after run (feed-buffers.ts): fresh
    // multi-megabyte arrays per batch kept the collector busy.
    const data = buffers.take(dtype, String(k), size * ids.length);
    const flat = table.flatSources;
    // Consecutive sources mostly hold the same box of the tensor (the whole of it, or one
    // function's output box): its runs are looked up once per change, not per request.
    let rows: BoxRows | undefined;
    let rowsHeld: Box | undefined;
    let seg: ReturnType<BoxCache['segments']> | undefined;
    for (let b = 0; b < ids.length; b++) {
        const lo = table.inputStart(ids[b], k), hi = table.inputStart(ids[b], k + 1);
        const base = b * size;
        // A source missing from the store is one no local function reads (requestRegions): its
        // elements are left as they are, since no reader of this feed looks at them.
        if (isUniformRange(flat, lo, hi)) {
            const src = store.get(flat[lo]);
            if (src === undefined) continue;
            if (rows === undefined || src.box !== rowsHeld) {
                rows = boxes.rows(tensor, box, src.box);
                rowsHeld = src.box;
            }
            copyRows(data, base, src.data, src.offset, rows);
            continue;
        }
        seg ??= boxes.segments(tensor, box);
        let whole = true;
        for (let i = lo; i < hi; i++) if (store.get(flat[i])?.box !== undefined) { whole = false; break; }
        const { dst, length, owner, full, index } = whole ? seg.merged : seg.rows;
        for (let q = 0; q < dst.length; q++) {
            const src = store.get(flat[lo + owner[q]]);
            if (src === undefined) continue;
            const from = src.offset + (src.box === undefined ? full[q] : offsetIn(src.box, dims, index, q, seg.lo));
            copyRun(data, base + dst[q], src.data, from, length[q]);
        }
    }
    return { data, offset: 0, dims: extents };
}

/**
 * Stacks a sum cut's parts for each request, within `box`: part k of request b is slice k of
 * source k (each source holding one example's per-part sums, [parts, ...reduced dims]); the
 * local function sums them (model-runner.ts, withStackedInputs).
 */
function stackBatch(tensor: string, assemblies: Assembly[], k: number, store: ActivationStore, box: Box,
    buffers: FeedBuffers, boxes: BoxCache): Activation {
    const first = store.get(assemblies[0].sources[0]);
    if (first === undefined) throw new Error(`executor: activation of ${tensor} missing`);
    const parts = first.dims[0];
    const dims = first.dims.slice(1);
    const whole = exampleSize(dims);
    const extents = boxExtents(dims, box);
    const partSize = exampleSize(extents);
    const size = parts * partSize;
    const data = buffers.take('float32', `${k}\u0000stacked`, size * assemblies.length) as Float32Array;
    const rows = boxes.rows(`${tensor}\u0000stacked`, box, undefined, dims);
    for (let b = 0; b < assemblies.length; b++) {
        const sources = assemblies[b].sources;
        for (let k = 0; k < sources.length; k++) {
            const src = store.get(sources[k])!;
            copyRows(data, b * size + k * partSize, src.data, src.offset + k * whole, rows);
        }
    }
    return { data, offset: 0, dims: [parts, ...extents] };
}

/** Row lists and part segments per tensor and box, computed once per execution. */
export class BoxCache {
    private readonly rowLists = new Map<string, Map<Box, Map<Box | undefined, BoxRows>>>();
    private readonly segmentLists = new Map<string, Map<Box, ReturnType<typeof boxSegments> & { lo: number[] }>>();

    private readonly wholes = new Map<string, Box>();

    constructor(private readonly runner: ModelRunner) {}

    /** The whole tensor as a box: one object per tensor. */
    whole(tensor: string): Box {
        let box = this.wholes.get(tensor);
        if (box === undefined) this.wholes.set(tensor, box = this.runner.typeOf(tensor).dims.map(() => null));
        return box;
    }

    /** The runs of `box` in a source that holds `held` of the tensor (the whole tensor when undefined). */
    rows(tensor: string, box: Box, held: Box | undefined, dims = this.runner.typeOf(tensor).dims): BoxRows {
        let byBox = this.rowLists.get(tensor);
        if (byBox === undefined) this.rowLists.set(tensor, byBox = new Map());
        let byHeld = byBox.get(box);
        if (byHeld === undefined) byBox.set(box, byHeld = new Map());
        let rows = byHeld.get(held);
        if (rows === undefined) {
            const layout = held === undefined ? dims : boxExtents(dims, held);
            byHeld.set(held, rows = boxRows(layout, relativeBox(box, held)));
        }
        return rows;
    }

    segments(tensor: string, box: Box): ReturnType<typeof boxSegments> & { lo: number[] } {
        let byBox = this.segmentLists.get(tensor);
        if (byBox === undefined) this.segmentLists.set(tensor, byBox = new Map());
        let seg = byBox.get(box);
        if (seg === undefined) {
            const dims = this.runner.typeOf(tensor).dims;
            byBox.set(box, seg = { ...boxSegments(this.runner.partOwners(tensor), dims, box), lo: box.map(r => (r === null ? 0 : r[0])) });
        }
        return seg;
    }
}

function isUniformRange(flat: Int32Array, lo: number, hi: number): boolean {
    for (let i = lo + 1; i < hi; i++) if (flat[i] !== flat[lo]) return false;
    return true;
}

export function isUniform(sources: readonly number[]): boolean {
    for (let i = 1; i < sources.length; i++) if (sources[i] !== sources[0]) return false;
    return true;
}
