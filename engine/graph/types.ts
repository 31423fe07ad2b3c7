// The model graph as read from the ONNX file (no onnxruntime involved), and the graph G of a
// hypothesis file: hook points, their parts, the input and the output (DESIGN.md §2.1).
import type { PartSpec } from '../spec.js';

export interface TensorInfo {
    name: string;
    /** 'float32', 'int64', …; null when the file does not say. */
    dtype: string | null;
    /** Each dim a number or a symbolic name; null when the file does not say. */
    shape: (number | string)[] | null;
    /**
     * The ONNX node producing it; null for graph inputs and initializers. `inputs` are the tensors
     * the node reads (including outer-scope names its subgraphs capture): the edges G is walked on.
     */
    producer: {
        op: string;
        node: string;
        inputs: readonly string[];
        /** The node's inputs by position ('' for an omitted optional one), for per-element rules (graph/part-deps.ts). */
        args?: readonly string[];
        /** Which of the node's outputs this tensor is. */
        outputIndex?: number;
        /** The node's int, float, string and int-list attributes. */
        attributes?: Readonly<Record<string, number | string | readonly number[]>>;
    } | null;
    kind: 'input' | 'initializer' | 'intermediate' | 'output';
    /**
     * Whether the tensor carries the batch axis (one slice per example), as a run of the model on
     * one and on two examples showed (graph/probe.ts); undefined when the model was not run.
     */
    perExample?: boolean;
    /** The first NaN or infinity the probe run saw in it, as text ('-Infinity'); undefined when none or not run. */
    nonFinite?: string;
}

export interface ModelGraph {
    path: string;
    /** Every named value: graph inputs, initializers, node outputs. */
    tensors: ReadonlyMap<string, TensorInfo>;
    /** Graph inputs that are not initializers, in file order. */
    inputs: readonly string[];
    outputs: readonly string[];
    /** Small integer initializers and Constant outputs (indices, axes, slice bounds), by name. */
    constants?: ReadonlyMap<string, readonly number[]>;
}

/** Which elements of a tensor a G node covers. */
export type Coverage =
    | { kind: 'all' }
    | { kind: 'part'; part: PartSpec; axis?: number }
    /** The elements no named part of the split covers. */
    | { kind: 'rest'; split: { axis?: number; parts: PartSpec[] } };

export interface GNode {
    /** `input`, `input.z1`, `input.rest`, a hook name, `hook.part`, `hook.rest`, or `output`. */
    name: string;
    kind: 'input' | 'hook' | 'output';
    /** The tensors it covers, with which elements (one tensor, except an unsplit `input` over several graph inputs or `input.rest`). */
    tensors: { tensor: string; coverage: Coverage }[];
    /** For a part of a rewritten hook (graph/rewrite.ts): what the part is, in words. */
    rewrite?: string;
}

export interface GraphG {
    nodes: ReadonlyMap<string, GNode>;
    /** The tensors computed by local functions: every hook tensor and the output tensor, parents first. */
    computedTensors: readonly string[];
    /** The frontier reached walking ONNX producers back from `tensor`: hook tensors and graph inputs. */
    tensorParents(tensor: string): readonly string[];
    /** The G nodes covering a tensor (all parts of a split hook including `.rest`). */
    nodesOfTensor(tensor: string): readonly string[];
    /** G-parents of a G node: every G node covering one of its tensor's parent tensors. */
    parents(node: string): readonly string[];
    /**
     * The G-parents of a node at the level of parts: those some element of the node depends on
     * (graph/part-deps.ts), in the order of `parents`; `parents` itself where that cannot be
     * worked out (a shape unknown). The edge check, hovers, completion and the graph view use it.
     */
    partParents(node: string): readonly string[];
    /**
     * Whether a rule of the structural walk over-approximated the node's part-level parents (an
     * op read as reading everything, a product of two activations; graph/part-deps.ts): an edge of
     * partParents may then not be real, and the numeric pass (graph/perturb-queries.ts) tests it.
     * False for a node whose edges are not worked out at the level of parts.
     */
    partsInexact?(node: string): boolean;
    /**
     * Hook G nodes that lie on a path from `from` to `to` (so `from -> to` is not a direct G-edge);
     * empty when `from` is a G-parent of `to` or not an ancestor at all.
     */
    between(from: string, to: string): readonly string[];
    /** Whether `from` is an ancestor of `to` in G. */
    isAncestor(from: string, to: string): boolean;
}

/** A problem found while deriving G from the hook declarations (the language locates it). */
export interface GraphProblem {
    code: 'unknown-tensor' | 'unknown-input' | 'duplicate-tensor' | 'unreachable-tensor' | 'not-per-example' | 'not-finite' | 'bad-split'
        | 'rewrite-invalid' | 'rewrite-not-linear' | 'rewrite-not-orthogonal';
    severity: 'error' | 'warning';
    message: string;
    /** The hook's name, or 'input' for the input split. */
    hook: string;
    /** For unknown tensors: the closest existing tensor name. */
    suggestion?: string;
}
