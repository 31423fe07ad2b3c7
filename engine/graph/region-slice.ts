// Sliced local functions. A local function computes its whole tensor, but a request is often
// read only in part: one head of a split tensor, one position of another, or the one position
// the model's own readout Gathers. Given the region of its output that is read, this rewrite makes
// every node of the local function compute only the region its consumers need (walking back from
// the output through ops whose elements depend on their inputs position by position), and pads
// the result back to the tensor's shape, so the executor's layout does not change. It also says
// which region of each parent the rewritten function reads, which is what the executor asks of
// the requests that feed it.
//
// Every rule may only make a node compute more than what is demanded of it (a whole axis where it
// cannot restrict one), never less: an op without a rule computes its whole output from whole
// inputs, which is the unsliced local function again.
import { clone } from '@bufbuild/protobuf';
import { NodeProtoSchema, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import { makeValueInfo, valueInfoType } from '../onnx/value-info.js';
import { defaultOpset, int64Tensor, intValues, makeNode, withGraph } from '../onnx/nodes.js';
import { hull, isWhole, normalise, regionKey, sameRegion, wholeRegion, type Range, type Region } from './region.js';

/** Dims of a tensor with the batch axis included; null for an axis whose size follows the batch. */
export type FullDims = readonly (number | null)[];

export interface SlicedLocalFunction {
    model: ModelProto;
    /** Per input of the local function (its parents, in order), the region it reads; undefined: the whole input. */
    inputRegions: (Region | undefined)[];
    /** Whether the model differs from the one given. */
    sliced: boolean;
}

/** What a rule decides for one node: what it computes, and what it needs of each input. */
interface NodePlan {
    computed: Region;
    /** Per input (by position; '' inputs get none). */
    inputs: (Region | undefined)[];
    /** Inputs replaced by a new constant (a Tile's repeats, a Gather's shifted indices, a Reshape's shape). */
    replace?: Map<number, TensorProto>;
    /**
     * A Split asked for boxes of some of its outputs: per output, the box it computes (undefined:
     * not computed) and the box of the input that box is (`computed` is then unused). Each output
     * becomes a Slice of the input.
     */
    split?: { outputs: (Region | undefined)[]; fromInput: (Region | undefined)[] };
}

interface RuleContext {
    dims(tensor: string): FullDims;
    /** The values of an integer initializer, or of a tensor without the batch axis whose values the probe saw. */
    constant(tensor: string): readonly number[] | undefined;
    /** The value of a one-element float initializer or Constant node. */
    scalar(tensor: string): number | undefined;
    /** The node of the local function producing a tensor. */
    producer(tensor: string): NodeProto | undefined;
    opset: number;
    fresh(base: string): string;
}

const ELEMENTWISE = new Set([
    'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'Equal', 'Greater', 'Less', 'GreaterOrEqual',
    'LessOrEqual', 'And', 'Or', 'Xor', 'Not', 'PRelu', 'Mod', 'Relu', 'Identity', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Neg', 'Abs',
    'Sqrt', 'Erf', 'Gelu', 'Cast', 'Reciprocal', 'Floor', 'Ceil', 'Sign', 'LeakyRelu', 'Elu', 'Softplus', 'HardSigmoid', 'Clip',
]);

/**
 * The local function `local` (inputs: its parents; output: `output`) rewritten to compute
 * `region` of its output: the output holds just that box. With `cropInputs`, each input is
 * declared as the box of it that is read (`inputRegions`), and must be fed just that; otherwise
 * inputs are fed whole. `dims` gives every tensor's dims (batch axis included); without them for
 * some tensor the function is returned unchanged. `probed`: the values of tensors without the batch
 * axis that a probe run saw (a causal mask), which rules read like constants.
 */
export function sliceLocalFunction(local: ModelProto, output: string, region: Region,
    dims: (tensor: string) => FullDims | undefined, cropInputs: boolean,
    probed: (tensor: string) => readonly number[] | undefined = () => undefined): SlicedLocalFunction {
    const graph = local.graph!;
    const unchanged: SlicedLocalFunction = { model: local, inputRegions: graph.input.map(() => undefined), sliced: false };
    const opset = defaultOpset(local);
    const initializers = new Map(graph.initializer.map(t => [t.name, t]));
    const known = new Map<string, FullDims>();
    for (const t of graph.initializer) known.set(t.name, t.dims.map(Number));
    const tensorDims = (t: string): FullDims | undefined => known.get(t) ?? dims(t);
    function dimsOrThrow(t: string): FullDims {
        const d = tensorDims(t);
        if (d === undefined) throw new Error(`no dims for ${t}`);
        return d;
    }
    const everything = [output, ...graph.input.map(i => i.name), ...graph.node.flatMap(n => [...n.input, ...n.output])].filter(t => t !== '');
    if (opset < 11 || everything.some(t => tensorDims(t) === undefined)) {
        return unchanged;
    }
    let counter = 0;
    const producers = new Map<string, NodeProto>();
    for (const n of graph.node) for (const o of n.output) if (o !== '') producers.set(o, n);
    const ctx: RuleContext = {
        dims: dimsOrThrow,
        constant: t => {
            const init = initializers.get(t);
            return init === undefined ? probed(t) : intValues(init);
        },
        scalar: t => {
            const tensor = initializers.get(t) ?? producers.get(t)?.attribute.find(a => a.name === 'value' && producers.get(t)!.opType === 'Constant')?.t;
            return tensor === undefined ? undefined : floatScalar(tensor);
        },
        producer: t => producers.get(t),
        opset,
        fresh: base => `${base}::slice${counter++}`,
    };

    // Backwards: what each tensor must provide (the hull of what its readers need).
    const outDims = dimsOrThrow(output);
    const wanted = normalise(region, outDims);
    const demand = new Map<string, Region>([[output, wanted]]);
    const plans = new Map<NodeProto, NodePlan>();
    for (let i = graph.node.length - 1; i >= 0; i--) {
        const node = graph.node[i];
        const outputs = node.output.filter(o => o !== '');
        const demanded = outputs.map(o => demand.get(o));
        if (demanded.every(d => d === undefined)) continue;
        const plan = outputs.length === 1 ? planNode(node, demanded[0]!, ctx)
            : splitPlan(node, node.output.map(o => (o === '' ? undefined : demand.get(o))), ctx) ?? wholePlan(node, ctx);
        plans.set(node, plan);
        node.input.forEach((x, k) => {
            if (x === '' || plan.replace?.has(k)) return;
            // An input the rule leaves alone (axes, shapes, indices) is read whole.
            const norm = normalise(plan.inputs[k] ?? wholeRegion(dimsOrThrow(x).length), dimsOrThrow(x));
            const had = demand.get(x);
            demand.set(x, had === undefined ? norm : hull(had, norm));
        });
    }

    // Forwards: each node on the region it computes, reading slices of what it is given.
    const available = new Map<string, Region>();
    const current = new Map<string, string>();
    // An input nothing reads any more (a Reshape's shape once taken from it, now constant) is
    // fed as its first element on every axis rather than whole: the executor stacks what is asked.
    const unread = (name: string): Region => dimsOrThrow(name).map((n, a) => (a === 0 || n === 1 ? null : [0, 1] as const));
    const inputRegions = graph.input.map(i => (cropInputs ? demand.get(i.name) ?? unread(i.name) : undefined));
    graph.input.forEach((i, k) => {
        available.set(i.name, inputRegions[k] ?? wholeRegion(dimsOrThrow(i.name).length));
        current.set(i.name, i.name);
    });
    for (const t of graph.initializer) { available.set(t.name, wholeRegion(t.dims.length)); current.set(t.name, t.name); }
    const nodes: NodeProto[] = [];
    const added: TensorProto[] = [];
    const slices = new Map<string, string>();
    // `as`: the name to give the result, always a node of its own (a Split's output).
    const take = (x: string, need: Region, as?: string): string => {
        const have = available.get(x)!;
        const name = current.get(x)!;
        if (as === undefined && sameRegion(have, need)) return name;
        const key = `${x}\u0000${regionKey(need)}`;
        const known = as === undefined ? slices.get(key) : undefined;
        if (known !== undefined) return known;
        const axes: number[] = [], starts: number[] = [], ends: number[] = [];
        need.forEach((r, a) => {
            const h = have[a];
            if (r === null) {
                if (h !== null) throw new Error(`slicing ${x}: axis ${a} is needed whole but only part of it was computed`);
                return;
            }
            const base = h === null ? 0 : h[0];
            if (h !== null && (r[0] < h[0] || r[1] > h[1])) throw new Error(`slicing ${x}: needs ${r} outside the computed ${h}`);
            if (h !== null && h[0] === r[0] && h[1] === r[1]) return;
            axes.push(a); starts.push(r[0] - base); ends.push(r[1] - base);
        });
        if (axes.length === 0) {
            if (as !== undefined) nodes.push(makeNode('Identity', [name], as));
            return as ?? name;
        }
        const out = as ?? ctx.fresh(x);
        added.push(int64Tensor(`${out}::starts`, starts), int64Tensor(`${out}::ends`, ends), int64Tensor(`${out}::axes`, axes));
        nodes.push(makeNode('Slice', [name, `${out}::starts`, `${out}::ends`, `${out}::axes`], out));
        if (as === undefined) slices.set(key, out);
        return out;
    };
    // A tensor computed on a box of its own gets a name of its own. So does the function's output
    // when its node computes more than the box asked for (a Softmax along the sliced axis): the
    // Slice that cuts the box out then takes the output's name, which must be defined once.
    const nameFor = (o: string, computed: Region) => (isWhole(computed) && (o !== output || sameRegion(computed, wanted)) ? o : `${o}::region`);
    for (const node of graph.node) {
        const plan = plans.get(node);
        if (plan === undefined) continue;
        if (plan.split !== undefined) {
            // Each output asked for is the box of the input it is, under a name of its own.
            node.output.forEach((o, i) => {
                const box = plan.split!.outputs[i];
                if (o === '' || box === undefined) return;
                const computed = normalise(box, dimsOrThrow(o));
                const renamed = nameFor(o, computed);
                take(node.input[0], normalise(plan.split!.fromInput[i]!, dimsOrThrow(node.input[0])), renamed);
                available.set(o, computed);
                current.set(o, renamed);
            });
            continue;
        }
        const inputs = node.input.map((x, k) => {
            if (x === '') return x;
            const replacement = plan.replace?.get(k);
            if (replacement !== undefined) { added.push(replacement); return replacement.name; }
            return take(x, normalise(plan.inputs[k] ?? wholeRegion(dimsOrThrow(x).length), dimsOrThrow(x)));
        });
        const outputs = node.output.map(o => {
            if (o === '') return o;
            const computed = normalise(plan.computed, dimsOrThrow(o));
            available.set(o, computed);
            const renamed = nameFor(o, computed);
            current.set(o, renamed);
            return renamed;
        });
        if (inputs.every((x, k) => x === node.input[k]) && outputs.every((o, k) => o === node.output[k])) {
            nodes.push(node);
        } else {
            const copy = clone(NodeProtoSchema, node);
            copy.input = inputs;
            copy.output = outputs;
            nodes.push(copy);
        }
    }
    // The box asked for, under the output's own name: the node that makes it is renamed (nothing
    // inside the function reads that name, since the output is where the function ends).
    const last = take(output, wanted);
    if (last !== output) {
        const i = nodes.findIndex(n => n.output.includes(last));
        const copy = nodes[i] === graph.node.find(n => n === nodes[i]) ? clone(NodeProtoSchema, nodes[i]) : nodes[i];
        copy.output = copy.output.map(o => (o === last ? output : o));
        nodes[i] = copy;
    }
    const sliced = !isWhole(wanted) || inputRegions.some(r => r !== undefined && !isWhole(r))
        || nodes.length !== graph.node.length || nodes.some((n, k) => n !== graph.node[k]);
    if (!sliced) return unchanged;
    const boxed = (info: ValueInfoProto, box: Region | undefined): ValueInfoProto => {
        if (box === undefined || isWhole(box)) return info;
        const { dtype } = valueInfoType(info);
        const full = dimsOrThrow(info.name);
        return makeValueInfo(info.name, dtype ?? 'float32', full.map((n, a) => (a === 0 ? 'batch' : box[a] === null ? n! : box[a]![1] - box[a]![0])));
    };
    const model = withGraph(local, {
        name: graph.name,
        input: graph.input.map((i, k) => boxed(i, inputRegions[k])),
        output: graph.output.map(o => boxed(o, wanted)),
        node: nodes,
        initializer: [...graph.initializer, ...added],
    });
    return { model, inputRegions, sliced };
}

/** The rule for a single-output node asked for region `d` of its output. */
function planNode(node: NodeProto, d: Region, ctx: RuleContext): NodePlan {
    const out = node.output[0];
    const outDims = ctx.dims(out);
    const op = node.opType;
    const inDims = node.input.map(x => (x === '' ? undefined : ctx.dims(x)));
    const intAttr = (name: string): number | undefined => {
        const a = node.attribute.find(x => x.name === name);
        return a === undefined ? undefined : Number(a.i);
    };
    const intsAttr = (name: string): number[] | undefined => node.attribute.find(x => x.name === name)?.ints.map(Number);
    const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
    const rank = outDims.length;

    if (node.domain === '' || node.domain === 'ai.onnx') {
        if (ELEMENTWISE.has(op)) {
            return { computed: d, inputs: inDims.map(x => x && broadcastInput(d, x, outDims)) };
        }
        switch (op) {
            case 'MatMul': {
                const [a, b] = inDims as FullDims[];
                if (a.length < 2 || b.length < 2) break;
                const batchPart = (x: FullDims) => broadcastInput(d.slice(0, rank - 2), x.slice(0, x.length - 2), outDims.slice(0, rank - 2));
                // An attention pattern under a known mask (softmax of scores whose masked entries
                // are -inf) is exactly zero outside the keys its rows may attend to: the product
                // reads those keys alone, of the pattern and of the values.
                const keys = a.length === b.length ? unmaskedKeys(node.input[0], d[rank - 2], ctx) : undefined;
                return {
                    computed: d,
                    inputs: [[...batchPart(a), d[rank - 2], keys ?? null], [...batchPart(b), keys ?? null, d[rank - 1]]],
                };
            }
            case 'Transpose': {
                const perm = intsAttr('perm') ?? [...Array(rank).keys()].reverse();
                const input = new Array<Range>(rank).fill(null);
                perm.forEach((p, i) => { input[p] = d[i]; });
                return { computed: d, inputs: [input] };
            }
            case 'LayerNormalization': {
                const axis = norm(intAttr('axis') ?? -1, rank);
                const computed = d.map((r, a) => (a >= axis ? null : r));
                return { computed, inputs: inDims.map(x => x && broadcastInput(computed, x, outDims)) };
            }
            case 'Softmax':
            case 'LogSoftmax': {
                const axis = norm(intAttr('axis') ?? (ctx.opset >= 13 ? -1 : 1), rank);
                // Over the keys a row may attend to, when every other key's score is -inf (exp
                // gives exactly 0 there): the same values on the keys computed.
                const keys = op === 'Softmax' && axis === rank - 1 && d[axis] !== null ? unmaskedKeys(out, d[rank - 2], ctx) : undefined;
                const computed = d.map((r, a) => (a === axis && keys !== undefined ? hull([r], [keys])[0]
                    : (ctx.opset >= 13 ? a === axis : a >= axis) ? null : r));
                return { computed, inputs: [computed] };
            }
            case 'ReduceSum':
            case 'ReduceMean':
            case 'ReduceMax': {
                const axesFromInput = op === 'ReduceSum' ? ctx.opset >= 13 : ctx.opset >= 18;
                const axes = (axesFromInput ? (node.input[1] ? ctx.constant(node.input[1]) : undefined) : intsAttr('axes'));
                const inRank = inDims[0]!.length;
                if (axes === undefined || axes.length === 0) break;
                const reduced = new Set(axes.map(a => norm(a, inRank)));
                const keep = (intAttr('keepdims') ?? 1) !== 0;
                let o = 0;
                const input = [...Array(inRank).keys()].map(a => {
                    if (reduced.has(a)) { if (keep) o++; return null; }
                    return d[o++];
                });
                return { computed: d, inputs: [input, undefined] };
            }
            case 'Unsqueeze': {
                const axes = ctx.opset >= 13 ? (node.input[1] ? ctx.constant(node.input[1]) : undefined) : intsAttr('axes');
                if (axes === undefined) break;
                const inserted = new Set(axes.map(a => norm(a, rank)));
                return { computed: d, inputs: [d.filter((_, a) => !inserted.has(a)), undefined] };
            }
            case 'Squeeze': {
                const inRank = inDims[0]!.length;
                const given = ctx.opset >= 13 ? (node.input[1] ? ctx.constant(node.input[1]) : undefined) : intsAttr('axes');
                if (given === undefined && (node.input[1] ?? '') !== '') break;
                const squeezed = new Set(given?.map(a => norm(a, inRank)) ?? inDims[0]!.flatMap((n, a) => (n === 1 ? [a] : [])));
                let o = 0;
                return { computed: d, inputs: [[...Array(inRank).keys()].map(a => (squeezed.has(a) ? null : d[o++])), undefined] };
            }
            case 'Tile': {
                const repeats = ctx.constant(node.input[1]);
                const x = inDims[0]!;
                if (repeats === undefined || repeats.length !== rank) break;
                const computed: Range[] = [], input: Range[] = [];
                const newRepeats = [...repeats];
                for (let a = 0; a < rank; a++) {
                    const r = d[a];
                    if (repeats[a] === 1) { computed.push(r); input.push(r); }
                    else if (x[a] === 1 && r !== null) { computed.push(r); input.push(null); newRepeats[a] = r[1] - r[0]; }
                    else { computed.push(null); input.push(null); }
                }
                const changed = newRepeats.some((n, a) => n !== repeats[a]);
                return {
                    computed, inputs: [input, undefined],
                    replace: changed ? new Map([[1, int64Tensor(ctx.fresh(node.input[1]), newRepeats)]]) : undefined,
                };
            }
            case 'Gather': {
                const data = inDims[0]!;
                const q = inDims[1]!.length;
                const axis = norm(intAttr('axis') ?? 0, data.length);
                const computed = d.map((r, a) => (a >= axis && a < axis + q ? null : r));
                const input: Range[] = [];
                for (let a = 0; a < axis; a++) input.push(d[a]);
                input.push(null);
                for (let a = axis + 1; a < data.length; a++) input.push(d[a + q - 1]);
                const indices = ctx.constant(node.input[1]);
                const size = data[axis];
                if (indices === undefined || indices.length === 0 || size === null) return { computed, inputs: [input, undefined] };
                const normal = indices.map(i => (i < 0 ? i + size : i));
                const lo = Math.min(...normal), hi = Math.max(...normal) + 1;
                input[axis] = [lo, hi];
                const replace = lo > 0 ? new Map([[1, shiftedIndices(ctx.fresh(node.input[1]), normal, lo, inDims[1] as number[])]]) : undefined;
                return { computed, inputs: [input, undefined], replace };
            }
            case 'Reshape': {
                // Axes grouped where the products of their sizes agree (a head axis split off or
                // merged back): a box of the output that is a contiguous run of elements within
                // each group is a box of the input; the shape becomes the box's constant extents.
                const x = inDims[0]!;
                const inSizes = x.slice(1), outSizes = outDims.slice(1);
                if (x[0] !== null || outDims[0] !== null || inSizes.some(n => n === null || n <= 0) || outSizes.some(n => n === null || n <= 0)) break;
                const groups = reshapeGroups(inSizes as number[], outSizes as number[]);
                if (groups === undefined) break;
                const computed: Range[] = new Array<Range>(rank).fill(null);
                const input: Range[] = new Array<Range>(x.length).fill(null);
                for (const grp of groups) {
                    const outRun = contiguousRun(grp.out.map(a => d[a + 1]), grp.out.map(a => outSizes[a] as number));
                    const inBox = boxOfRun(outRun.lo, outRun.hi, grp.in.map(a => inSizes[a] as number));
                    if (inBox === undefined) continue;
                    grp.out.forEach((a, i) => { computed[a + 1] = outRun.ranges[i]; });
                    grp.in.forEach((a, i) => { input[a + 1] = inBox[i]; });
                }
                const shape = outDims.map((n, a) => (a === 0 ? -1 : computed[a] === null ? n! : computed[a]![1] - computed[a]![0]));
                return {
                    computed, inputs: [input, undefined],
                    replace: new Map([[1, int64Tensor(ctx.fresh(node.input[1] || 'shape'), shape)]]),
                };
            }
            case 'Slice': {
                // Constant bounds, unit steps: the box of the output is a box of the input shifted
                // by the starts; the input is read as exactly that box, which the Slice then keeps whole.
                const x = inDims[0]!;
                const starts = ctx.constant(node.input[1]), ends = ctx.constant(node.input[2]);
                const axes = (node.input[3] ?? '') !== '' ? ctx.constant(node.input[3]) : starts?.map((_, i) => i);
                const steps = (node.input[4] ?? '') !== '' ? ctx.constant(node.input[4]) : undefined;
                if (starts === undefined || ends === undefined || axes === undefined || starts.length !== axes.length || ends.length !== axes.length) break;
                if ((node.input[4] ?? '') !== '' && (steps === undefined || steps.some(s => s !== 1))) break;
                const input: Range[] = [...d];
                const extents: number[] = [];
                let ok = true;
                axes.forEach((axis, i) => {
                    const a = norm(axis, x.length);
                    const size = x[a];
                    if (size === null || a === 0) { ok = false; return; }
                    const clamp = (v: number) => Math.max(0, Math.min(size, v < 0 ? v + size : v));
                    const lo = clamp(starts[i]), hi = clamp(ends[i]);
                    if (hi <= lo || outDims[a] !== hi - lo) { ok = false; return; }
                    const r = d[a] ?? [0, hi - lo];
                    input[a] = [lo + r[0], lo + r[1]];
                    extents.push(r[1] - r[0]);
                });
                if (!ok) break;
                const replace = new Map([
                    [1, int64Tensor(ctx.fresh(node.input[1]), axes.map(() => 0))],
                    [2, int64Tensor(ctx.fresh(node.input[2]), extents)],
                ]);
                return { computed: d, inputs: [input, undefined, undefined, undefined, undefined], replace };
            }
            case 'Concat': {
                const axis = norm(intAttr('axis')!, rank);
                const computed = d.map((r, a) => (a === axis ? null : r));
                return { computed, inputs: inDims.map(() => computed) };
            }
        }
    }
    return wholePlan(node, ctx);
}

/**
 * A Split along a per-example axis (sizes read off its outputs' dims): each output asked for is
 * the box of the input shifted by its offset along the axis. Undefined when it does not apply.
 */
function splitPlan(node: NodeProto, demanded: (Region | undefined)[], ctx: RuleContext): NodePlan | undefined {
    if (node.opType !== 'Split' || !(node.domain === '' || node.domain === 'ai.onnx')) return undefined;
    const x = ctx.dims(node.input[0]);
    const a = node.attribute.find(t => t.name === 'axis');
    const axis = a === undefined ? 0 : Number(a.i) < 0 ? Number(a.i) + x.length : Number(a.i);
    if (axis <= 0 || axis >= x.length || x[axis] === null) return undefined;
    const outputs: (Region | undefined)[] = [];
    const fromInput: (Region | undefined)[] = [];
    let offset = 0;
    let input: Region | undefined;
    for (let i = 0; i < node.output.length; i++) {
        const o = node.output[i];
        if (o === '') return undefined;
        const size = ctx.dims(o)[axis];
        if (size === null) return undefined;
        const d = demanded[i];
        if (d !== undefined) {
            const r = d[axis] ?? [0, size];
            const from = d.map((q, k) => (k === axis ? [offset + r[0], offset + r[1]] as const : q));
            outputs.push(d);
            fromInput.push(from);
            input = input === undefined ? from : hull(input, from);
        } else {
            outputs.push(undefined);
            fromInput.push(undefined);
        }
        offset += size;
    }
    if (offset !== x[axis] || input === undefined) return undefined;
    return { computed: wholeRegion(x.length), inputs: [input, undefined], split: { outputs, fromInput } };
}

/** Axes of a Reshape's input and output (per example) grouped where the products of their sizes agree. */
function reshapeGroups(a: readonly number[], b: readonly number[]): { in: number[]; out: number[] }[] | undefined {
    const groups: { in: number[]; out: number[] }[] = [];
    let i = 0, j = 0;
    while (i < a.length || j < b.length) {
        const g = { in: [] as number[], out: [] as number[] };
        let pa = 1, pb = 1;
        if (i < a.length) { pa *= a[i]; g.in.push(i++); }
        if (j < b.length) { pb *= b[j]; g.out.push(j++); }
        while (pa !== pb) {
            if (pa < pb && i < a.length) { pa *= a[i]; g.in.push(i++); }
            else if (pb < pa && j < b.length) { pb *= b[j]; g.out.push(j++); }
            else return undefined;
        }
        groups.push(g);
    }
    return groups;
}

/**
 * The smallest box holding `ranges` (over axes of `sizes`, row-major) whose elements are one
 * contiguous run: axes before the first one read in more than one index stay single indices,
 * later ones become whole. Its run of flattened indices is [lo, hi).
 */
function contiguousRun(ranges: readonly Range[], sizes: readonly number[]): { ranges: Range[]; lo: number; hi: number } {
    if (sizes.length === 0) return { ranges: [], lo: 0, hi: 1 };
    const full = ranges.map((r, i) => r ?? [0, sizes[i]] as const);
    let j = full.findIndex(r => r[1] - r[0] > 1);
    if (j < 0) j = full.length - 1;
    let inner = 1;
    for (let i = j + 1; i < sizes.length; i++) inner *= sizes[i];
    let lo = 0;
    let stride = inner;
    for (let i = j; i >= 0; i--) {
        lo += full[i][0] * stride;
        stride *= sizes[i];
    }
    const out = full.map((r, i): Range => (i > j || (r[0] === 0 && r[1] === sizes[i]) ? null : r));
    return { ranges: out, lo, hi: lo + (full[j][1] - full[j][0]) * inner };
}

/** The box over axes of `sizes` (row-major) whose elements are exactly the run [lo, hi); undefined when none is. */
function boxOfRun(lo: number, hi: number, sizes: readonly number[]): Range[] | undefined {
    if (sizes.length === 0) return lo === 0 && hi === 1 ? [] : undefined;
    let inner = 1;
    for (let j = sizes.length - 1; j >= 0; j--) {
        if (lo % inner === 0 && hi % inner === 0) {
            const a = lo / inner, b = hi / inner;
            const row = Math.floor(a / sizes[j]);
            if (Math.floor((b - 1) / sizes[j]) === row) {
                const box: Range[] = sizes.map((n, i) => (i > j ? null : [0, n]));
                box[j] = [a - row * sizes[j], b - row * sizes[j]];
                let rest = row;
                for (let i = j - 1; i >= 0; i--) { box[i] = [rest % sizes[i], rest % sizes[i] + 1]; rest = Math.floor(rest / sizes[i]); }
                return box.map((r, i) => (r !== null && r[0] === 0 && r[1] === sizes[i] ? null : r));
            }
        }
        inner *= sizes[j];
    }
    return undefined;
}

/**
 * When `pattern` is a Softmax over the last axis of Where(cond, scores, -inf) (or Where(cond,
 * -inf, scores)) whose condition's values are known, the keys (last axis) some row in `rows`
 * (the second-last axis; null: every row) may attend to, as one range; undefined otherwise.
 */
function unmaskedKeys(pattern: string, rows: Range, ctx: RuleContext): Range | undefined {
    const softmax = ctx.producer(pattern);
    if (softmax?.opType !== 'Softmax' || !(softmax.domain === '' || softmax.domain === 'ai.onnx')) return undefined;
    const rank = ctx.dims(pattern).length;
    const axisAttr = softmax.attribute.find(a => a.name === 'axis');
    const axis = axisAttr === undefined ? (ctx.opset >= 13 ? rank - 1 : 1) : Number(axisAttr.i) < 0 ? Number(axisAttr.i) + rank : Number(axisAttr.i);
    if (axis !== rank - 1 || rank < 2) return undefined;
    const where = ctx.producer(softmax.input[0]);
    if (where?.opType !== 'Where' || where.input.length !== 3) return undefined;
    const masked = (t: string) => { const v = ctx.scalar(t); return v !== undefined && v <= -1e30; };
    const keepWhen = masked(where.input[2]) ? 1 : masked(where.input[1]) ? 0 : -1;
    if (keepWhen < 0) return undefined;
    const cond = ctx.constant(where.input[0]);
    const condDims = ctx.dims(where.input[0]);
    if (cond === undefined || condDims.length < 2 || condDims.some(n => n === null)) return undefined;
    const Q = condDims[condDims.length - 2]!, K = condDims[condDims.length - 1]!;
    const keysTotal = ctx.dims(pattern)[rank - 1];
    if (K === 1 || K !== keysTotal || cond.length % (Q * K) !== 0) return undefined;
    const [r0, r1] = Q === 1 ? [0, 1] : rows ?? [0, Q];
    let lo = Infinity, hi = -Infinity;
    for (let lead = 0; lead < cond.length; lead += Q * K) {
        for (let q = r0; q < r1; q++) {
            for (let k = 0; k < K; k++) {
                if ((cond[lead + q * K + k] !== 0 ? 1 : 0) !== keepWhen) continue;
                if (k < lo) lo = k;
                if (k > hi) hi = k;
            }
        }
    }
    return lo > hi ? undefined : [lo, hi + 1];
}

/** The value of a one-element float tensor proto (float_data or raw little-endian float32/float64). */
function floatScalar(t: TensorProto): number | undefined {
    const count = t.dims.reduce((a, b) => a * Number(b), 1);
    if (count !== 1) return undefined;
    if (t.floatData.length === 1) return t.floatData[0];
    if (t.doubleData.length === 1) return t.doubleData[0];
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.dataType === 1 && raw.byteLength === 4) return view.getFloat32(0, true);
    if (t.dataType === 11 && raw.byteLength === 8) return view.getFloat64(0, true);
    return undefined;
}

/** An op without a rule: its whole output from its whole inputs. */
function wholePlan(node: NodeProto, ctx: RuleContext): NodePlan {
    const out = node.output.find(o => o !== '')!;
    return {
        computed: wholeRegion(ctx.dims(out).length),
        inputs: node.input.map(x => (x === '' ? undefined : wholeRegion(ctx.dims(x).length))),
    };
}

/** What an input broadcast (numpy rules, aligned right) into `outDims` needs for region `d`. */
function broadcastInput(d: Region, inDims: FullDims, outDims: FullDims): Region {
    const off = outDims.length - inDims.length;
    return inDims.map((n, j) => (n === 1 && outDims[j + off] !== 1 ? null : d[j + off]));
}

function shiftedIndices(name: string, indices: number[], by: number, dims: number[]): TensorProto {
    const t = int64Tensor(name, indices.map(i => i - by));
    t.dims = dims.map(BigInt);
    return t;
}
