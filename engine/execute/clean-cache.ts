// Clean activations kept for the whole dataset. Every chunk of roots draws from the whole dataset,
// so without a cache each chunk (and each hypothesis) runs the full model over nearly every
// example again. When what a scrub reads fits the memory budget over the whole dataset (scrub.ts,
// sizingFor), each example runs through the model once per prepared spec and later chunks only read.
import type { Activation, ActivationType, ModelRunner, NumericArray } from './model-runner.js';
import { allocTyped, exampleSize } from './model-runner.js';

// A column keeps the arrays the clean runs returned, as they are: copying every activation into
// one dataset-wide array cost a third of the clean pass (and twice the memory while it ran).
interface Column {
    /** The clean runs' outputs, in the order they came. */
    chunks: NumericArray[];
    dtype: string;
    size: number;
    dims: readonly number[];
    /** Per example, the chunk holding its activation (-1 until it is computed), and where in it. */
    chunk: Int32Array;
    /** Float64: a chunk of many large activations can pass 2^31 elements. */
    offset: Float64Array;
}

export class CleanCache {
    private readonly columns = new Map<string, Column>();

    /** `types`: every tensor to keep (hooks, frontier tensors, graph inputs) with its per-example type. */
    constructor(private readonly runner: Pick<ModelRunner, 'clean'>, types: ReadonlyMap<string, ActivationType>, count: number) {
        for (const [tensor, t] of types) {
            this.columns.set(tensor, {
                chunks: [], dtype: t.dtype, size: exampleSize(t.dims), dims: t.dims,
                chunk: new Int32Array(count).fill(-1), offset: new Float64Array(count),
            });
        }
        this.count = count;
    }

    private readonly count: number;

    /**
     * Runs the model on the examples that lack a tensor they need (`needed`: tensors by example),
     * `batchSize` at a time; an example that runs also fetches whichever of `alsoFetch` it lacks,
     * so that it need not run again for them. Only those tensors are fetched: fetching every
     * boundary tensor cost more than the model run itself.
     */
    async ensure(needed: ReadonlyMap<number, ReadonlySet<string>>, alsoFetch: Iterable<string>, batchSize: number,
        checkCancelled?: () => void): Promise<void> {
        const extra = [...new Set(alsoFetch)].map(t => [t, this.column(t)] as const);
        // Examples grouped by the tensors they lack, so that nothing is fetched twice.
        const groups = new Map<string, { lacking: (readonly [string, Column])[]; examples: number[] }>();
        for (const e of [...needed.keys()].sort((a, b) => a - b)) {
            let lacking: (readonly [string, Column])[] | undefined;
            for (const t of needed.get(e)!) {
                const column = this.column(t);
                if (column.chunk[e] < 0) (lacking ??= []).push([t, column]);
            }
            // The common case after the first chunk: everything is there, and nothing is allocated.
            if (lacking === undefined) continue;
            for (const [t, column] of extra) if (column.chunk[e] < 0 && !lacking.some(([u]) => u === t)) lacking.push([t, column]);
            lacking.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            const key = lacking.map(([t]) => t).join('\u0000');
            const group = groups.get(key);
            if (group) group.examples.push(e);
            else groups.set(key, { lacking, examples: [e] });
        }
        for (const { lacking, examples: missing } of groups.values()) {
            for (let start = 0; start < missing.length; start += batchSize) {
                checkCancelled?.();
                const batch = Int32Array.from(missing.slice(start, start + batchSize));
                const result = await this.runner.clean(batch, lacking.map(([t]) => t));
                for (const [tensor, column] of lacking) {
                    const act = result.get(tensor)!;
                    const k = column.chunks.push(act.data) - 1;
                    batch.forEach((e, b) => {
                        column.chunk[e] = k;
                        column.offset[e] = act.offset + b * column.size;
                    });
                }
            }
        }
    }

    /** Bytes the cache takes over the whole dataset once it holds `tensors` besides what it holds now. */
    bytesWith(tensors: Iterable<string>): number {
        const held = new Set([...this.columns].filter(([, c]) => c.chunks.length > 0).map(([t]) => t));
        for (const t of tensors) held.add(t);
        let bytes = 0;
        for (const t of held) {
            const column = this.column(t);
            bytes += column.size * this.count * allocTyped(column.dtype, 0).BYTES_PER_ELEMENT;
        }
        return bytes;
    }

    /** The example's activation of the tensor; `ensure` must have covered the example. */
    get(tensor: string, example: number): Activation {
        const column = this.column(tensor);
        const k = column.chunk[example];
        if (k < 0) throw new Error(`clean cache: ${tensor} of example ${example} was not computed`);
        return { data: column.chunks[k], offset: column.offset[example], dims: column.dims };
    }

    private column(tensor: string): Column {
        const column = this.columns.get(tensor);
        if (column === undefined) throw new Error(`clean cache: no column for ${tensor}`);
        return column;
    }
}
