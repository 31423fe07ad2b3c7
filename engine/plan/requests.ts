// Activation requests, hash-consed: the planner describes every activation a scrub needs as a
// request, and equal requests (same tensor, same inputs) get the same id, so each is computed once.

/** Where each element of a parent tensor comes from when a local function runs. */
export interface Assembly {
    /**
     * One request id per G node covering the parent tensor (in GraphG.nodesOfTensor order); when
     * all are equal the tensor is taken whole from that request.
     */
    sources: number[];
    /**
     * A sum cut: the value is not the tensor assembled from parts but the sum over parts k of the
     * k-th slice of source k (each source a clean request of a part-sums tensor, graph/sum-cut.ts).
     */
    sum?: true;
}

export type Request =
    /** The unmodified model's activation of `tensor` on dataset example `example`. */
    | { kind: 'clean'; tensor: string; example: number }
    /** A constant activation for mean or zero ablation. */
    | { kind: 'constant'; tensor: string; value: 'mean' | 'zero' }
    /**
     * The local function of `tensor` from `parents` (GraphG.tensorParents, or a clean cut of it)
     * run on assembled activations of those parents, in that order.
     */
    | { kind: 'computed'; tensor: string; parents: readonly string[]; inputs: Assembly[] };

export class RequestTable {
    readonly requests: Request[] = [];
    /**
     * Every request's sources, all its inputs' in order, in one array: request id's are
     * `flatSources[sourceStart(id)]` up to `sourceStart(id + 1)` (none for clean and constant
     * requests). The executor counts and releases readers over it: walking each request's
     * assemblies instead cost as much as stacking the feeds.
     */
    private flat = new Int32Array(1024);
    private flatLength = 0;
    private starts = new Int32Array(1024);
    /** Per computed request, where each input's sources start in `flat` and where the last ends: `bounds[boundBase[id] + k]`. */
    private bounds = new Int32Array(1024);
    private boundsLength = 0;
    private boundBase = new Int32Array(1024);
    /** One shared assembly per request taken whole (most inputs are): fewer objects for the collector to copy. */
    private readonly wholes: (Assembly | undefined)[] = [];
    private readonly ids = new Map<string, number>();
    // Clean requests are most of a plan: they get a map per tensor keyed by the example number,
    // which costs no string building on the planner's hot path.
    private readonly cleanIds = new Map<string, Map<number, number>>();
    private readonly computedIds = new Map<number, number | number[]>();
    private readonly tensorCodes = new Map<string, number>();

    clean(tensor: string, example: number): number {
        let byExample = this.cleanIds.get(tensor);
        if (byExample === undefined) this.cleanIds.set(tensor, byExample = new Map());
        let id = byExample.get(example);
        if (id === undefined) {
            id = this.push({ kind: 'clean', tensor, example });
            byExample.set(example, id);
        }
        return id;
    }

    constant(tensor: string, value: 'mean' | 'zero'): number {
        return this.intern(`k\u0000${tensor}\u0000${value}`, () => ({ kind: 'constant', tensor, value }));
    }

    /**
     * The request for `tensor` computed from `inputs`; collapses to the clean activation when every
     * input is the whole clean activation of one and the same example (the planner's main saving).
     */
    computed(tensor: string, parents: readonly string[], inputs: Assembly[]): number {
        let example = -1;
        let allClean = inputs.length > 0;
        for (let k = 0; k < inputs.length && allClean; k++) {
            const sources = inputs[k].sources;
            const first = this.requests[sources[0]];
            if (first.kind !== 'clean' || (example >= 0 && first.example !== example)) {
                allClean = false;
                break;
            }
            for (let i = 1; i < sources.length; i++) {
                if (sources[i] !== sources[0]) {
                    allClean = false;
                    break;
                }
            }
            example = first.example;
        }
        if (allClean) return this.clean(tensor, example);
        // Hash-consed on a numeric hash of the sources, compared in full on a hit: a string key
        // per request cost more than the rest of planning together.
        let code = this.tensorCodes.get(tensor);
        if (code === undefined) this.tensorCodes.set(tensor, code = this.tensorCodes.size + 1);
        let h = Math.imul(code, 0x9e3779b1);
        for (const a of inputs) {
            h = mixInto(h, a.sources.length);
            for (const s of a.sources) h = mixInto(h, s);
        }
        // A bucket is one id, or a list once two requests share a hash (rare): no array per request.
        const bucket = this.computedIds.get(h);
        if (typeof bucket === 'number') {
            if (sameComputed(this.requests[bucket], tensor, parents, inputs)) return bucket;
        } else if (bucket !== undefined) {
            for (const id of bucket) if (sameComputed(this.requests[id], tensor, parents, inputs)) return id;
        }
        const id = this.push({ kind: 'computed', tensor, parents, inputs });
        if (bucket === undefined) this.computedIds.set(h, id);
        else if (typeof bucket === 'number') this.computedIds.set(h, [bucket, id]);
        else bucket.push(id);
        return id;
    }

    get(id: number): Request {
        return this.requests[id];
    }

    /** The assembly that takes request `id` whole, one object per request. */
    whole(id: number): Assembly {
        let a = this.wholes[id];
        if (a === undefined) this.wholes[id] = a = { sources: [id] };
        return a;
    }

    /** The array of every request's sources (see `flat`); valid until the next request is added. */
    get flatSources(): Int32Array {
        return this.flat;
    }

    /**
     * Where input `k` of computed request `id` starts in `flatSources`; it ends where input k + 1
     * starts (for k = the request's input count, where its last input ends).
     */
    inputStart(id: number, k: number): number {
        return this.bounds[this.boundBase[id] + k];
    }

    /** Where request `id`'s sources start in `flatSources`; they end where id + 1's start. */
    sourceStart(id: number): number {
        return id < this.requests.length ? this.starts[id] : this.flatLength;
    }

    private push(r: Request): number {
        const id = this.requests.length;
        this.requests.push(r);
        if (id + 1 >= this.starts.length) {
            this.starts = grow(this.starts, this.starts.length * 2);
            this.boundBase = grow(this.boundBase, this.starts.length);
        }
        this.starts[id] = this.flatLength;
        if (r.kind === 'computed') {
            if (this.boundsLength + r.inputs.length + 1 > this.bounds.length) this.bounds = grow(this.bounds, 2 * (this.boundsLength + r.inputs.length + 1));
            this.boundBase[id] = this.boundsLength;
            for (const a of r.inputs) {
                this.bounds[this.boundsLength++] = this.flatLength;
                const sources = a.sources;
                if (this.flatLength + sources.length > this.flat.length) this.flat = grow(this.flat, Math.max(this.flat.length * 2, this.flatLength + sources.length));
                for (let i = 0; i < sources.length; i++) this.flat[this.flatLength++] = sources[i];
            }
            this.bounds[this.boundsLength++] = this.flatLength;
        }
        return id;
    }

    get size(): number {
        return this.requests.length;
    }

    private intern(key: string, make: () => Request): number {
        let id = this.ids.get(key);
        if (id === undefined) {
            id = this.push(make());
            this.ids.set(key, id);
        }
        return id;
    }
}

/** `a` copied into a new array of `length` elements. */
function grow(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
    const grown = new Int32Array(length);
    grown.set(a);
    return grown;
}

function mixInto(h: number, v: number): number {
    h = Math.imul(h ^ v, 0x85ebca6b);
    return (h ^ (h >>> 13)) | 0;
}

/** Whether request `r` is the computed request of `tensor` from `parents` on exactly `inputs`. */
function sameComputed(r: Request, tensor: string, parents: readonly string[], inputs: Assembly[]): boolean {
    if (r.kind !== 'computed' || r.tensor !== tensor || r.inputs.length !== inputs.length) return false;
    if (r.parents !== parents && r.parents.join('\u0000') !== parents.join('\u0000')) return false;
    for (let k = 0; k < inputs.length; k++) {
        const a = r.inputs[k].sources, b = inputs[k].sources;
        if (a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    }
    return true;
}
