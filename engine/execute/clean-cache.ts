// Clean activations kept for the whole dataset. Every chunk of roots draws from the whole dataset,
// so without a cache each chunk (and each hypothesis) runs the full model over nearly every
// example again. When what a scrub reads fits the memory budget over the whole dataset (scrub.ts,
// sizingFor), each example runs through the model once per prepared spec and later chunks only read.
//
// Columns live in SharedArrayBuffers so that the scrub threads of one run (engine/parallel/) share
// one cache: each example's slot has a state word, and a thread claims a slot before computing it,
// so that no example runs twice and a thread that needs a slot another is computing waits for it.
import type { Activation, ActivationType, ModelRunner, NumericArray } from './model-runner.js';
import { elementBytes, exampleSize, typedView } from './model-runner.js';
import { HypError } from '../errors.js';

/** Slot states (Int32 per example and column). */
const ABSENT = 0;
const CLAIMED = 1;
const PRESENT = 2;

/**
 * Examples a thread claims before it runs them: threads split the clean pass by claims, and a
 * claim as large as a small model's batch (the raw torch export's: 950 examples) took the whole
 * 512-example dataset at once, leaving the other thread waiting for all of it.
 */
const MAX_CLAIM = 128;

/** How long a waiting thread sleeps before it checks for cancellation and failures again. */
const WAIT_MS = 50;

interface Column {
    tensor: string;
    dtype: string;
    /** Elements per example. */
    size: number;
    dims: readonly number[];
    /** Example e's activation is data[e·size, (e+1)·size). */
    data: NumericArray;
    state: Int32Array;
    /**
     * Whether this cache has filled a slot of it: a column shared for a tensor the run may read
     * takes no memory until it does (its pages are committed on first write).
     */
    used: boolean;
}

/** A cache as it crosses to another thread: its buffers are shared, not copied. */
export interface SharedCleanCache {
    count: number;
    columns: { tensor: string; dtype: string; dims: number[]; data: SharedArrayBuffer; state: SharedArrayBuffer }[];
    /** Int32[1], non-zero once the run sharing the cache failed or was cancelled: waiting threads stop. */
    abort: SharedArrayBuffer;
}

export class CleanCache {
    private readonly columns = new Map<string, Column>();
    private readonly abort: Int32Array;

    /**
     * `types`: every tensor the cache may keep, with its per-example type; a column is allocated
     * when first used. A cache attached to a shared one (`attach`) keeps only the shared columns.
     */
    constructor(private readonly runner: Pick<ModelRunner, 'clean' | 'computedAlongside'>, private readonly types: ReadonlyMap<string, ActivationType>,
        private readonly count: number, abort?: SharedArrayBuffer) {
        this.abort = new Int32Array(abort ?? new SharedArrayBuffer(4));
    }

    /** A view of a cache another thread shared (its columns only). */
    static attach(runner: Pick<ModelRunner, 'clean' | 'computedAlongside'>, shared: SharedCleanCache): CleanCache {
        const cache = new CleanCache(runner, new Map(shared.columns.map(c => [c.tensor, { dtype: c.dtype, dims: c.dims }])), shared.count, shared.abort);
        for (const c of shared.columns) {
            cache.columns.set(c.tensor, {
                tensor: c.tensor, dtype: c.dtype, dims: c.dims, size: exampleSize(c.dims),
                data: typedView(c.dtype, c.data), state: new Int32Array(c.state), used: false,
            });
        }
        cache.shared = true;
        return cache;
    }

    private shared = false;

    /** The columns of `tensors` (allocated now where they were not), for other threads to attach. */
    share(tensors: Iterable<string>): SharedCleanCache {
        const columns = [...new Set(tensors)].filter(t => this.types.has(t)).map(t => this.column(t));
        return {
            count: this.count,
            columns: columns.map(c => ({ tensor: c.tensor, dtype: c.dtype, dims: [...c.dims], data: c.data.buffer as SharedArrayBuffer, state: c.state.buffer as SharedArrayBuffer })),
            abort: this.abort.buffer as SharedArrayBuffer,
        };
    }

    /** Whether the cache can hold the tensor (an attached cache: whether it was shared). */
    has(tensor: string): boolean {
        return this.shared ? this.columns.has(tensor) : this.types.has(tensor);
    }

    /** Tells every thread waiting on this cache to stop (the run failed or was cancelled). */
    abortWaiters(): void {
        Atomics.store(this.abort, 0, 1);
    }

    /** Marks every slot absent (between runs): the next run computes what it needs again. */
    empty(): void {
        for (const column of this.columns.values()) column.state.fill(ABSENT);
    }

    /**
     * Once every thread of a run has stopped: gives back the slots a thread claimed and never
     * filled (one that died cannot), and lets waiting work again, so that the next run can use
     * what the cache holds.
     */
    recover(): void {
        for (const column of this.columns.values()) {
            for (let e = 0; e < this.count; e++) if (column.state[e] === CLAIMED) column.state[e] = ABSENT;
        }
        Atomics.store(this.abort, 0, 0);
    }

    /**
     * Runs the model on the examples that lack a tensor they need (`needed`: tensors by example),
     * `batchSize` at a time; an example that runs also fetches whichever of `alsoFetch` it lacks
     * and its run computes anyway, so that it need not run again for them. Only those tensors are
     * fetched: fetching every boundary tensor cost more than the model run itself; and one its run
     * would not compute (a late tensor, for an example needed only for early ones, whose run is
     * pruned to them: model-runner.ts) would make that run the whole model. Slots another thread
     * is computing are waited for, not computed again.
     */
    async ensure(needed: ReadonlyMap<number, ReadonlySet<string>>, alsoFetch: Iterable<string>, batchSize: number,
        checkCancelled?: () => void): Promise<void> {
        const extra = [...new Set(alsoFetch)].filter(t => this.has(t)).map(t => this.column(t));
        // Examples grouped by the tensors they claimed, so that nothing is fetched twice. A group
        // runs as soon as it fills a batch, so that threads sharing the cache claim a batch at a
        // time and split the work, rather than the first claiming everything.
        const groups = new Map<string, { claimed: Column[]; examples: number[] }>();
        const awaited: [Column, number][] = [];
        const claim = (column: Column, e: number) => Atomics.compareExchange(column.state, e, ABSENT, CLAIMED) === ABSENT;
        // What a run computes anyway, by the tensors it claimed (few distinct sets in a run).
        const alongside = new Map<string, (tensor: string) => boolean>();
        try {
            for (const e of [...needed.keys()].sort((a, b) => a - b)) {
                let claimed: Column[] | undefined;
                for (const t of needed.get(e)!) {
                    const column = this.column(t);
                    if (Atomics.load(column.state, e) === PRESENT) continue;
                    if (claim(column, e)) (claimed ??= []).push(column);
                    else awaited.push([column, e]);
                }
                // The common case after the first chunk: everything is there, and nothing is allocated.
                if (claimed === undefined) continue;
                const own = claimed.map(c => c.tensor).join('\u0000');
                let free = alongside.get(own);
                if (free === undefined) alongside.set(own, free = this.runner.computedAlongside?.(claimed.map(c => c.tensor)) ?? (() => true));
                for (const column of extra) {
                    if (!claimed.includes(column) && free(column.tensor) && Atomics.load(column.state, e) === ABSENT && claim(column, e)) claimed.push(column);
                }
                claimed.sort((a, b) => (a.tensor < b.tensor ? -1 : a.tensor > b.tensor ? 1 : 0));
                const key = claimed.map(c => c.tensor).join('\u0000');
                let group = groups.get(key);
                if (group === undefined) groups.set(key, group = { claimed, examples: [] });
                group.examples.push(e);
                if (group.examples.length >= Math.min(batchSize, MAX_CLAIM)) await this.fill(group, checkCancelled);
            }
            for (const group of groups.values()) if (group.examples.length > 0) await this.fill(group, checkCancelled);
        } finally {
            // A failed or cancelled run gives back the slots it had not filled, for others to take.
            for (const { claimed, examples } of groups.values()) {
                for (const column of claimed) {
                    for (const e of examples) {
                        if (Atomics.compareExchange(column.state, e, CLAIMED, ABSENT) === CLAIMED) Atomics.notify(column.state, e);
                    }
                }
            }
        }
        await this.awaitSlots(awaited, alsoFetch, batchSize, checkCancelled);
    }

    /** Runs the group's claimed examples through the model and publishes their slots; empties the group. */
    private async fill(group: { claimed: Column[]; examples: number[] }, checkCancelled?: () => void): Promise<void> {
        checkCancelled?.();
        const batch = Int32Array.from(group.examples);
        const result = await this.runner.clean(batch, group.claimed.map(c => c.tensor));
        for (const column of group.claimed) {
            column.used = true;
            const act = result.get(column.tensor)!;
            for (let b = 0; b < batch.length; b++) {
                const from = act.offset + b * column.size;
                column.data.set(act.data.subarray(from, from + column.size) as never, batch[b] * column.size);
                Atomics.store(column.state, batch[b], PRESENT);
                Atomics.notify(column.state, batch[b]);
            }
        }
        group.examples.length = 0;
    }

    /** Waits for slots other threads claimed; one they gave back is computed here. */
    private async awaitSlots(awaited: [Column, number][], alsoFetch: Iterable<string>, batchSize: number, checkCancelled?: () => void): Promise<void> {
        const retry = new Map<number, Set<string>>();
        for (const [column, e] of awaited) {
            for (;;) {
                const s = Atomics.load(column.state, e);
                if (s === PRESENT) break;
                if (s === ABSENT) {
                    let set = retry.get(e);
                    if (set === undefined) retry.set(e, set = new Set());
                    set.add(column.tensor);
                    break;
                }
                checkCancelled?.();
                if (Atomics.load(this.abort, 0) !== 0) throw new HypError('scrubbing stopped: another scrub thread failed or was cancelled', 'cancelled');
                Atomics.wait(column.state, e, CLAIMED, WAIT_MS);
            }
        }
        if (retry.size > 0) await this.ensure(retry, alsoFetch, batchSize, checkCancelled);
    }

    /** Bytes the cache takes over the whole dataset once it holds `tensors` besides what it holds now. */
    bytesWith(tensors: Iterable<string>): number {
        const held = new Set([...this.columns.values()].filter(c => c.used).map(c => c.tensor));
        for (const t of tensors) held.add(t);
        let bytes = 0;
        for (const t of held) {
            const type = this.types.get(t);
            if (type !== undefined) bytes += exampleSize(type.dims) * this.count * elementBytes(type.dtype);
        }
        return bytes;
    }

    /** The example's activation of the tensor; `ensure` must have covered the example. */
    get(tensor: string, example: number): Activation {
        const column = this.column(tensor);
        if (Atomics.load(column.state, example) !== PRESENT) throw new Error(`clean cache: ${tensor} of example ${example} was not computed`);
        return { data: column.data, offset: example * column.size, dims: column.dims };
    }

    /**
     * The tensor's whole column, example e at rows e (slots `ensure` has not filled hold zeros or
     * stale values): the fused executor feeds it as one input instead of copying rows out of it.
     */
    columnData(tensor: string): { data: NumericArray; count: number; dims: readonly number[] } {
        const column = this.column(tensor);
        return { data: column.data, count: this.count, dims: column.dims };
    }

    private column(tensor: string): Column {
        let column = this.columns.get(tensor);
        if (column === undefined) {
            const type = this.types.get(tensor);
            if (type === undefined || this.shared) throw new Error(`clean cache: no column for ${tensor}`);
            const size = exampleSize(type.dims);
            column = {
                tensor, dtype: type.dtype, dims: type.dims, size,
                data: typedView(type.dtype, new SharedArrayBuffer(size * this.count * elementBytes(type.dtype))),
                state: new Int32Array(new SharedArrayBuffer(4 * this.count)),
                used: false,
            };
            this.columns.set(tensor, column);
        }
        return column;
    }
}
