// One ONNX graph for a whole chunk of a scrub (the fused strategy, exec-strategy.ts). Every tensor
// the plan reads gets a pool: the rows fed from the host (clean activations, ablation constants)
// followed by the outputs of each group of its computed requests. A group (one local-function
// variant) runs once on all its requests, its parents gathered from their pools by index inputs
// the executor writes (fused-executor.ts). The graph depends on the plan only through its shape
// (which groups and feeds exist, not how many rows each has: those are symbolic dims), so one
// session serves every chunk of the same shape.
import { create } from '@bufbuild/protobuf';
import {
    AttributeProto_AttributeType as AT, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, TensorProtoSchema,
    type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from 'onnx-buf';
import { HypError } from '../errors.js';
import { dtypeCode } from '../onnx/dtype.js';
import { int64Tensor, makeNode } from '../onnx/nodes.js';
import { makeValueInfo } from '../onnx/value-info.js';
import { exampleSize } from './typed-arrays.js';

/** How one parent of a group is gathered. */
export interface FusedInput {
    /** The tensor whose pool its rows come from (the parent; a sum cut's part sums). */
    source: string;
    /**
     * Gathered element by element from one row per part (a split parent whose parts come from
     * different requests, or a sum cut's stacked part sums); else one row per request.
     */
    parts: boolean;
}

/** One local-function variant run on all its requests of the chunk. */
export interface FusedGroup {
    tensor: string;
    parents: readonly string[];
    stacked: readonly boolean[];
    inputs: readonly FusedInput[];
}

/** What the graph is built from: equal shapes give equal graphs (the session cache's key). */
export interface FusedShape {
    /** Tensors fed as the clean cache's whole column (example e at row e), pooled first. */
    columns: readonly string[];
    /** Tensors with rows copied from the host (constants, clean rows not in the cache), pooled next. */
    feeds: readonly string[];
    /** Groups in execution order (parents' groups first). */
    groups: readonly FusedGroup[];
    /** The tensor whose rows the graph returns (the model output). */
    output: string;
}

/** What the builder needs of the model: its tensors' types, part layouts and local functions. */
export interface FusedModelSource {
    typeOf(tensor: string): { dtype: string; dims: number[] };
    /** Part index of each element of one example of a split tensor (GraphG.nodesOfTensor order). */
    partOwners(tensor: string): Uint16Array;
    /** The variant's local function: inputs named after its parents (stacked ones renamed), output `tensor`. */
    localModel(tensor: string, parents: readonly string[], stacked: readonly boolean[]): ModelProto;
}

/** Input and output names of a fused graph. */
export const fusedNames = {
    feed: (tensor: string) => `fused/feed/${tensor}`,
    column: (tensor: string) => `fused/column/${tensor}`,
    index: (group: number, input: number) => `fused/index/${group}/${input}`,
    outputIndex: 'fused/index/out',
    output: 'fused/out',
};

export function shapeKey(shape: FusedShape): string {
    return JSON.stringify(shape);
}

/** The fused graph of a chunk shape. */
export function buildFusedGraph(shape: FusedShape, model: FusedModelSource): ModelProto {
    const nodes: NodeProto[] = [];
    const initializers = new Map<string, TensorProto>();
    const inputs: ValueInfoProto[] = [];
    const pools = new Map<string, string>();
    const flats = new Map<string, string>();
    let base: ModelProto | undefined;
    const addInit = (t: TensorProto) => { if (!initializers.has(t.name)) initializers.set(t.name, t); };
    for (const t of shape.columns) {
        const { dtype, dims } = model.typeOf(t);
        inputs.push(makeValueInfo(fusedNames.column(t), dtype, [`examples of ${t}`, ...dims]));
    }
    for (const t of shape.feeds) {
        const { dtype, dims } = model.typeOf(t);
        inputs.push(makeValueInfo(fusedNames.feed(t), dtype, [`rows of ${t}`, ...dims]));
    }
    // A tensor's pool is complete once its last group has run (groups come in execution order).
    const lastGroup = new Map<string, number>();
    shape.groups.forEach((g, i) => lastGroup.set(g.tensor, i));
    // A pool's rows: the column, the copied rows, then each group's outputs (fused-executor.ts
    // numbers rows in this order).
    const pieces = new Map<string, string[]>();
    const piece = (t: string, name: string) => {
        const list = pieces.get(t);
        if (list === undefined) pieces.set(t, [name]);
        else list.push(name);
    };
    for (const t of shape.columns) piece(t, fusedNames.column(t));
    for (const t of shape.feeds) piece(t, fusedNames.feed(t));
    const concat = (t: string, list: readonly string[]): string => {
        if (list.length === 1) return list[0];
        const pool = `fused/pool/${t}`;
        nodes.push(makeNode('Concat', [...list], pool, [{ name: 'axis', i: 0n }]));
        return pool;
    };
    const poolOf = (t: string): string => {
        const known = pools.get(t);
        if (known !== undefined) return known;
        const list = pieces.get(t);
        if (list === undefined || lastGroup.has(t)) throw new Error(`fused graph: ${t} is read before its rows exist`);
        const pool = concat(t, list);
        pools.set(t, pool);
        return pool;
    };
    const flatOf = (t: string): string => {
        let flat = flats.get(t);
        if (flat === undefined) {
            flat = `fused/flat/${t}`;
            addInit(int64Tensor('fused/shape/flat', [-1]));
            nodes.push(makeNode('Reshape', [poolOf(t), 'fused/shape/flat'], flat));
            flats.set(t, flat);
        }
        return flat;
    };

    shape.groups.forEach((group, gi) => {
        const sub = model.localModel(group.tensor, group.parents, group.stacked);
        base ??= sub;
        const fedAs = new Map<string, string>();
        group.inputs.forEach((input, k) => {
            const { dims } = model.typeOf(input.source);
            const index = fusedNames.index(gi, k);
            const x = `fused/${gi}/in/${k}`;
            if (!input.parts) {
                inputs.push(makeValueInfo(index, 'int32', [`requests of group ${gi}`]));
                nodes.push(makeNode('Gather', [poolOf(input.source), index], x, [{ name: 'axis', i: 0n }]));
            } else {
                // Element e of request b comes from element e of the row its owning part is taken
                // from: flat index row[b, owner[e]] · size + e into the flattened pool.
                const size = exampleSize(dims);
                const stacked = group.stacked[k];
                const owners = stacked ? stackedOwners(dims) : Int32Array.from(model.partOwners(input.source));
                inputs.push(makeValueInfo(index, 'int32', [`requests of group ${gi}`, `parts of ${input.source}`]));
                const owner = `fused/owner/${input.source}${stacked ? '/stacked' : ''}`;
                const offsets = `fused/offsets/${input.source}`;
                const sizeName = `fused/size/${input.source}`;
                const shapeName = `fused/shape/${input.source}`;
                addInit(int32Tensor(owner, owners, [size]));
                addInit(int32Tensor(offsets, Int32Array.from({ length: size }, (_, e) => e), [size]));
                addInit(int32Tensor(sizeName, Int32Array.of(size), []));
                addInit(int64Tensor(shapeName, [-1, ...dims]));
                const p = `fused/${gi}/in/${k}`;
                nodes.push(makeNode('Gather', [index, owner], `${p}/rows`, [{ name: 'axis', i: 1n }]));
                nodes.push(makeNode('Mul', [`${p}/rows`, sizeName], `${p}/starts`));
                nodes.push(makeNode('Add', [`${p}/starts`, offsets], `${p}/at`));
                nodes.push(makeNode('Gather', [flatOf(input.source), `${p}/at`], `${p}/flat`, [{ name: 'axis', i: 0n }]));
                nodes.push(makeNode('Reshape', [`${p}/flat`, shapeName], x));
            }
            fedAs.set(sub.graph!.input[k].name, x);
        });
        const out = `fused/${gi}/out`;
        inline(sub, gi, fedAs, group.tensor, out, nodes, addInit);
        piece(group.tensor, out);
        if (lastGroup.get(group.tensor) === gi) {
            lastGroup.delete(group.tensor);
            pools.set(group.tensor, concat(group.tensor, pieces.get(group.tensor)!));
        }
    });
    if (base === undefined) throw new Error('fused graph: no group to run');
    inputs.push(makeValueInfo(fusedNames.outputIndex, 'int32', ['outputs']));
    nodes.push(makeNode('Gather', [poolOf(shape.output), fusedNames.outputIndex], fusedNames.output, [{ name: 'axis', i: 0n }]));
    const { dtype, dims } = model.typeOf(shape.output);
    return create(ModelProtoSchema, {
        irVersion: base.irVersion,
        opsetImport: base.opsetImport,
        producerName: 'hyp',
        functions: base.functions,
        graph: create(GraphProtoSchema, {
            name: 'fused scrub',
            node: nodes,
            initializer: [...initializers.values()],
            input: inputs,
            output: [makeValueInfo(fusedNames.output, dtype, ['outputs', ...dims])],
        }),
    });
}

/**
 * Appends the local function's nodes, its values renamed into the group's namespace, its inputs
 * read from `fedAs` and its output written as `out`. Initializers keep their names: groups of one
 * model share its weights.
 */
function inline(sub: ModelProto, gi: number, fedAs: ReadonlyMap<string, string>, tensor: string, out: string,
    nodes: NodeProto[], addInit: (t: TensorProto) => void): void {
    const graph = sub.graph!;
    const inits = new Set(graph.initializer.map(t => t.name));
    for (const t of graph.initializer) addInit(t);
    const rename = (name: string) => name === '' || inits.has(name) ? name
        : fedAs.get(name) ?? (name === tensor ? out : `fused/${gi}/v/${name}`);
    for (const n of graph.node) {
        const nested = n.attribute.find(a => a.type === AT.GRAPH || a.type === AT.GRAPHS);
        if (nested !== undefined) {
            throw new HypError(`the fused execution cannot inline the local function of ${tensor}: its node ${n.name || n.opType} (${n.opType}) holds a sub-graph`,
                'exec-fused-unsupported', undefined, 'run with --exec staged');
        }
        nodes.push(create(NodeProtoSchema, {
            ...n,
            name: `fused/${gi}/n/${n.name || nodes.length}`,
            input: n.input.map(rename),
            output: n.output.map(rename),
        }));
    }
}

/** Part k of a stacked part-sums row ([parts, ...reduced]) is its k-th slice. */
function stackedOwners(dims: readonly number[]): Int32Array {
    const inner = exampleSize(dims.slice(1));
    return Int32Array.from({ length: exampleSize(dims) }, (_, e) => Math.floor(e / inner));
}

function int32Tensor(name: string, values: Int32Array, dims: readonly number[]): TensorProto {
    const raw = new Uint8Array(values.byteLength);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setInt32(4 * i, v, true));
    return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: dtypeCode('int32'), rawData: raw });
}
