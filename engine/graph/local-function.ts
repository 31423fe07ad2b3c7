// Local functions (DESIGN.md §2.1): the ONNX sub-graph between a computed tensor's G-parents and
// the tensor, cut out as a model of its own so the executor can run it on parent activations
// taken from different examples. Also the full model with hook tensors added as outputs, which
// gives every clean activation in one run.
import { clone, create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, ValueInfoProtoSchema, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import { HypError } from '../errors.js';
import type { TensorType } from '../onnx/dtype.js';
import { nodeInputs } from '../onnx/node-inputs.js';
import { localFunctionNodes } from './local-nodes.js';
import { makeValueInfo } from '../onnx/value-info.js';

/**
 * The sub-model computing `tensor` from `parents`: the producers walked back from `tensor` up to
 * the parents, with the initializers and Constant nodes they use. Its inputs are the parents,
 * typed from `types` with dim 0 made the symbolic 'batch'; its output is `tensor` (typed likewise
 * when `types` has it). The result shares node and initializer messages with `model`: do not mutate either.
 */
export function extractLocalFunction(model: ModelProto, tensor: string, parents: readonly string[],
    types: ReadonlyMap<string, TensorType>): ModelProto {
    const graph = model.graph!;
    const parentSet = new Set(parents);
    if (parentSet.has(tensor)) throw localError(tensor, `"${tensor}" is among its own parents`);
    const nodes = localFunctionNodes(model, tensor, parents);
    const produced = new Set<string>();
    for (const n of nodes) for (const o of n.output) produced.add(o);
    const initializers = new Set(graph.initializer.map(t => t.name));
    const usedInitializers = new Set<string>();
    // What the nodes read that they do not produce must be a parent or an initializer: a graph
    // input (or a dangling name) that is not a parent means the parents do not cut the tensor off
    // from the rest of the model, so this would not be its local function.
    for (const t of [tensor, ...[...nodes].flatMap(n => nodeInputs(n))]) {
        if (produced.has(t) || parentSet.has(t)) continue;
        if (!initializers.has(t)) throw localError(tensor, `it reads "${t}", which is not among its parents (${parents.join(', ') || 'none'})`);
        usedInitializers.add(t);
    }

    const inputs = parents.map(p => {
        const type = types.get(p);
        if (type === undefined) throw localError(tensor, `no type is known for its parent "${p}"`);
        return batchValueInfo(p, type);
    });
    const outType = types.get(tensor);
    return create(ModelProtoSchema, {
        irVersion: model.irVersion,
        opsetImport: model.opsetImport,
        producerName: 'hyp',
        functions: model.functions,
        graph: create(GraphProtoSchema, {
            name: `local function of ${tensor}`,
            // Keeping the file's order keeps the nodes topologically sorted, as ONNX requires.
            node: graph.node.filter(n => nodes.has(n)).map(n => withoutParentOutputs(n, parentSet, produced)),
            initializer: graph.initializer.filter(t => usedInitializers.has(t.name)),
            input: inputs,
            output: [outType !== undefined ? batchValueInfo(tensor, outType) : create(ValueInfoProtoSchema, { name: tensor })],
        }),
    });
}

/**
 * A node of several outputs (a Split) is in a local function for the outputs it needs even when
 * another of its outputs is a parent, which the local function takes as an input instead: that
 * output gets a name of its own (computed, read by nothing), or the sub-model would define the
 * parent twice, which onnxruntime refuses. Returns the node itself when no output is a parent.
 */
function withoutParentOutputs(node: NodeProto, parents: ReadonlySet<string>, taken: ReadonlySet<string>): NodeProto {
    if (!node.output.some(o => parents.has(o))) return node;
    const copy = clone(NodeProtoSchema, node);
    copy.output = node.output.map(o => {
        if (!parents.has(o)) return o;
        let name = `${o}::hyp_unused`;
        for (let k = 1; taken.has(name) || parents.has(name); k++) name = `${o}::hyp_unused_${k}`;
        return name;
    });
    return copy;
}

/**
 * A copy of `model` whose graph outputs also include `tensors` (those not outputs already), so one
 * run returns every activation. Outputs are typed where `types` has them; onnxruntime 1.30 accepts
 * untyped outputs (it infers them), so without `types` they are left untyped.
 */
export function withExtraOutputs(model: ModelProto, tensors: readonly string[], types?: ReadonlyMap<string, TensorType>): ModelProto {
    const copy = clone(ModelProtoSchema, model);
    const graph = copy.graph!;
    const present = new Set(graph.output.map(o => o.name));
    for (const t of tensors) {
        if (present.has(t)) continue;
        present.add(t);
        const type = types?.get(t);
        graph.output.push(type !== undefined ? batchValueInfo(t, type) : create(ValueInfoProtoSchema, { name: t }));
    }
    return copy;
}

/** A value info whose dim 0 is the symbolic 'batch': a local function runs on any number of requests. */
function batchValueInfo(name: string, type: TensorType): ValueInfoProto {
    return makeValueInfo(name, type.dtype, type.dims.map((d, i) => i === 0 ? 'batch' : d));
}

function localError(tensor: string, why: string): HypError {
    return new HypError(`cannot extract the local function of "${tensor}": ${why}`, 'local-function',
        undefined, 'every path into a hook tensor must start at a hook point or a graph input');
}

/** A copy of `model` with `nodes` appended to its graph (and their initializers): extra clean tensors. */
export function withNodes(model: ModelProto, nodes: readonly NodeProto[], initializers: readonly TensorProto[]): ModelProto {
    const copy = clone(ModelProtoSchema, model);
    copy.graph!.node.push(...nodes);
    copy.graph!.initializer.push(...initializers);
    return copy;
}
