// Sum cuts of a local function. A split parent p assembled from several examples' clean
// activations has to be stacked element by element before the local function can run; when the
// local function reads p only through one ReduceSum r (layer 0's per-source attention terms
// summed over sources, in the induction example), r of the assembly is the sum over parts k of
// ReduceSum(mask_k ⊙ p) on part k's example. The clean pass computes those per-part sums inside
// onnxruntime (one extra tensor, parts × |r| per example, instead of |p|), and the local function
// is fed r: on the induction model 64 KiB per example instead of 1 MiB.
import type { ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { tensorProto } from '../onnx/builder.js';
import { int64Tensor, intValues, makeNode } from '../onnx/nodes.js';
import { nodeInputs } from '../onnx/node-inputs.js';
import { localFunctionNodes } from './local-nodes.js';

/** One parent of a local function that may be fed as a sum of per-part reductions. */
export interface SumCut {
    /** Index of the parent in the local function's parent list. */
    parent: number;
    /** The ReduceSum's output: what the local function is fed instead of the parent. */
    reduced: string;
    /** The tensor of per-part sums the clean pass provides: [parts, ...reduced dims] per example. */
    partSums: string;
}

/** How a parent is reduced: the per-example axes summed over (batch axis excluded) and keepdims. */
export interface Reduction {
    tensor: string;
    reduced: string;
    /** Axes of one example (the model's axis minus one). */
    axes: number[];
    keepdims: boolean;
}

/**
 * For each parent in `splitParents` (by index), the ReduceSum that is its only reader in the
 * local function of `tensor`, when it sums over per-example axes given as constants; else none.
 */
export function sumReductions(model: ModelProto, tensor: string, parents: readonly string[], splitParents: ReadonlySet<number>,
    rankOf: (t: string) => number | undefined): Map<number, Reduction> {
    const inSubgraph = localFunctionNodes(model, tensor, parents);
    const result = new Map<number, Reduction>();
    for (const k of splitParents) {
        const p = parents[k];
        const readers = [...inSubgraph].filter(n => nodeInputs(n).includes(p));
        if (readers.length !== 1 || readers[0].opType !== 'ReduceSum' || readers[0].input[0] !== p) continue;
        const r = readers[0];
        const rank = rankOf(p);
        const axes = reduceAxes(model, r);
        if (rank === undefined || axes === undefined || axes.length === 0) continue;
        const normal = axes.map(a => (a < 0 ? a + rank : a));
        if (normal.some(a => a <= 0 || a >= rank)) continue;
        const keepdims = (r.attribute.find(a => a.name === 'keepdims')?.i ?? 1n) !== 0n;
        result.set(k, { tensor: p, reduced: r.output[0], axes: normal.map(a => a - 1), keepdims });
    }
    return result;
}

/**
 * Why each split parent in `splitParents` has no sum cut in the local function of `tensor`, in
 * words (what reads it instead of one ReduceSum over per-example axes): the benchmark reports it.
 */
export function sumCutMisses(model: ModelProto, tensor: string, parents: readonly string[], splitParents: ReadonlySet<number>,
    rankOf: (t: string) => number | undefined): string[] {
    const found = sumReductions(model, tensor, parents, splitParents, rankOf);
    const inSubgraph = localFunctionNodes(model, tensor, parents);
    const misses: string[] = [];
    for (const k of splitParents) {
        if (found.has(k)) continue;
        const readers = [...inSubgraph].filter(n => nodeInputs(n).includes(parents[k]));
        const ops = readers.map(n => n.opType).join(', ') || 'nothing';
        misses.push(`${parents[k]} -> ${tensor}: read by ${ops}${readers.length === 1 && readers[0].opType === 'ReduceSum' ? ' (axes not constant or include the batch axis)' : ', not by one ReduceSum'}`);
    }
    return misses;
}

/** The constant axes of a ReduceSum: its second input (opset ≥ 13) as an initializer, or its attribute. */
function reduceAxes(model: ModelProto, node: NodeProto): number[] | undefined {
    const attr = node.attribute.find(a => a.name === 'axes');
    if (attr !== undefined) return attr.ints.map(Number);
    const name = node.input[1];
    if (name === undefined || name === '') return undefined;
    const init = model.graph!.initializer.find(t => t.name === name);
    return init === undefined ? undefined : intValues(init);
}

/** The per-example dims of a reduction's output, from its input's per-example dims. */
export function reducedDims(dims: readonly number[], r: Reduction): number[] {
    return dims.flatMap((d, i) => (r.axes.includes(i) ? (r.keepdims ? [1] : []) : [d]));
}

/**
 * The nodes and initializers that compute `partSums` ([B, K, ...reduced dims]), the sum over the
 * reduction's axes of each part's elements. When the reduction is over one axis and the parts do
 * not depend on the axes after it (the induction example: parts by (head, dst, src), summed over
 * src, the same for every d_head), one MatMul of 0/1 part rows with p does it in a pass over p;
 * otherwise each part is masked and summed in turn (K passes over p).
 */
export function partSumNodes(r: Reduction, partSums: string, owners: Uint16Array, parts: number, dims: readonly number[]):
    { nodes: NodeProto[]; initializers: TensorProto[] } {
    return matmulPartSums(r, partSums, owners, parts, dims) ?? maskedPartSums(r, partSums, owners, parts, dims);
}

/** p as [B, PRE, S, POST] times part rows [PRE, K, S]: [B, PRE, K, POST], then parts first. */
function matmulPartSums(r: Reduction, partSums: string, owners: Uint16Array, parts: number, dims: readonly number[]):
    { nodes: NodeProto[]; initializers: TensorProto[] } | undefined {
    if (r.axes.length !== 1) return undefined;
    const a = r.axes[0];
    const pre = dims.slice(0, a).reduce((x, y) => x * y, 1);
    const S = dims[a];
    const post = dims.slice(a + 1).reduce((x, y) => x * y, 1);
    const rows = new Float32Array(pre * parts * S);
    for (let i = 0; i < pre; i++) {
        for (let s = 0; s < S; s++) {
            const base = (i * S + s) * post;
            const k = owners[base];
            // Parts must not vary along the axes after the reduced one.
            for (let j = 1; j < post; j++) if (owners[base + j] !== k) return undefined;
            rows[(i * parts + k) * S + s] = 1;
        }
    }
    const name = (what: string) => `${partSums}::${what}`;
    return {
        initializers: [
            tensorProto(name('rows'), rows, [pre, parts, S]),
            int64Tensor(name('shape_in'), [0, pre, S, post]),
            int64Tensor(name('shape_out'), [0, parts, ...reducedDims(dims, r)]),
        ],
        nodes: [
            makeNode('Reshape', [r.tensor, name('shape_in')], name('p')),
            makeNode('MatMul', [name('rows'), name('p')], name('by_pre')),
            makeNode('Transpose', [name('by_pre')], name('by_part'), [{ name: 'perm', ints: [0n, 2n, 1n, 3n] }]),
            makeNode('Reshape', [name('by_part'), name('shape_out')], partSums),
        ],
    };
}

/** For each part k, ReduceSum(mask_k ⊙ p) given a part axis, concatenated along it. */
function maskedPartSums(r: Reduction, partSums: string, owners: Uint16Array, parts: number, dims: readonly number[]):
    { nodes: NodeProto[]; initializers: TensorProto[] } {
    const size = owners.length;
    const axes = `${partSums}::axes`;
    const partAxis = `${partSums}::part_axis`;
    const initializers = [int64Tensor(axes, r.axes.map(a => a + 1)), int64Tensor(partAxis, [1])];
    const nodes: NodeProto[] = [];
    const sums: string[] = [];
    for (let k = 0; k < parts; k++) {
        const mask = new Float32Array(size);
        for (let i = 0; i < size; i++) if (owners[i] === k) mask[i] = 1;
        const name = (what: string) => `${partSums}::${k}::${what}`;
        initializers.push(tensorProto(name('mask'), mask, [...dims]));
        nodes.push(
            makeNode('Mul', [r.tensor, name('mask')], name('masked')),
            makeNode('ReduceSum', [name('masked'), axes], name('sum'), [{ name: 'keepdims', i: r.keepdims ? 1n : 0n }]),
            makeNode('Unsqueeze', [name('sum'), partAxis], name('part')),
        );
        sums.push(name('part'));
    }
    nodes.push(makeNode('Concat', sums, partSums, [{ name: 'axis', i: 1n }]));
    return { nodes, initializers };
}
