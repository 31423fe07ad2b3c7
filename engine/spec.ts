// The engine's input: a plain, serialisable description of a model, a dataset, a graph of hook
// points and the hypotheses to scrub. The language lowers a checked `.hyp` document into this;
// the CLI, the worker, the benches and the tests all drive the engine through it. Nothing here
// refers to Langium or to an editor.

/** A feature expression, lowered from the `.hyp` expression language. */
export type Expr =
    | { kind: 'number'; value: number }
    | { kind: 'string'; value: string }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'list'; items: Expr[] }
    /** A dataset field, an I-parent's feature value, a lambda parameter, or an input part (`input.z1`). */
    | { kind: 'ref'; name: string }
    | { kind: 'unary'; op: '-' | 'not'; arg: Expr }
    | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
    | { kind: 'conditional'; test: Expr; then: Expr; else: Expr }
    | { kind: 'index'; target: Expr; index: Expr }
    | { kind: 'slice'; target: Expr; start?: Expr; end?: Expr }
    /** A builtin (`len`, `cumsum`, …) or a function exported by the features module. */
    | { kind: 'call'; callee: string; args: Expr[] }
    | { kind: 'lambda'; params: string[]; body: Expr };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

/** A value a feature expression can take. Feature classes compare values by canonical JSON. */
export type FeatureValue = number | string | boolean | FeatureValue[];

/** How one ONNX graph input is filled from a dataset example. */
export interface InputBinding {
    /** The ONNX graph input's name. */
    onnxName: string;
    /**
     * Evaluated per example; must give a number, a (nested) list of numbers, or a string that is
     * tokenised with the dataset's vocabulary.
     */
    value: Expr;
}

/** Maps the characters of a string field to token ids. */
export interface VocabularySpec {
    tokens: Record<string, number>;
    /** Token prepended to every tokenised string (e.g. a start token). */
    bos?: string;
    /** Token used to pad tokenised strings to the input's fixed length. */
    pad?: string;
}

export interface DatasetSpec {
    /** Absolute path of the JSONL file: one JSON object per line. */
    path: string;
    inputs: InputBinding[];
    /** The field holding the label (class index or next token); absent for label-free metrics. */
    label?: string;
    vocabulary?: VocabularySpec;
}

/** One named part of a split tensor. */
export type PartSpec =
    /** Index set along the split's axis (negative indices count from the end). */
    | { name: string; indices: number[] }
    /**
     * Elements whose indices along `axes` satisfy `predicate`; the predicate's free names are
     * `vars`, bound to the element's index along the matching axis.
     */
    | { name: string; axes: number[]; vars: string[]; predicate: Expr };

export interface SplitSpec {
    /** Axis of an index-set split (includes the batch axis 0). Unused by predicate parts. */
    axis?: number;
    parts: PartSpec[];
}

/**
 * A rewrite of a hook point into a sum of parts (DESIGN.md §2.1, graph/rewrite.ts), instead of a
 * partition of its elements: the parts are G nodes `<hook>.<part>` whose values add up to the
 * tensor, and a consumer reads their sum.
 */
export type RewriteSpec =
    /**
     * Through a linear map: the tensor depends on the split hook `source` only through linear ops
     * and constants; one part per part of the source (its contribution, the others zeroed), plus
     * `bias`, the tensor's value when the source is zero.
     */
    | { kind: 'through'; source: string }
    /**
     * By subspaces of the last axis: one part per subspace (spanned by its vectors), the
     * projection of the tensor onto it, plus `rest`, the projection onto their orthogonal complement.
     */
    | { kind: 'subspace'; parts: { name: string; vectors: number[][] }[] };

/** A declared hook point: a named ONNX tensor, optionally split into parts. */
export interface HookSpec {
    /** The G node's name in the hypothesis file. */
    name: string;
    /** The ONNX tensor name. */
    tensor: string;
    split?: SplitSpec;
    /** A rewrite into a sum of parts (never together with `split`). */
    rewrite?: RewriteSpec;
    /** Where the hook is declared, for the errors its rewrite's checks on dataset rows raise. */
    source?: { file: string; line?: number };
}

export interface GraphSpec {
    hooks: HookSpec[];
    /** A split of the model input; `tensor` names which graph input (needed when there are several). */
    inputSplit?: SplitSpec & { tensor?: string };
}

/** Which sequence position a behaviour reads, for models with a position axis in the output. */
export type PositionSelector =
    | { kind: 'index'; index: number }
    | { kind: 'field'; field: string };

export type MetricSpec =
    | { kind: 'cross_entropy'; position?: PositionSelector }
    | { kind: 'accuracy'; position?: PositionSelector }
    | { kind: 'logit_diff'; a: number; b: number; position?: PositionSelector }
    /** `metric logit_diff` without classes: the logit of x's label minus the largest other logit. */
    | { kind: 'logit_diff_label'; position?: PositionSelector }
    | { kind: 'kl'; position?: PositionSelector };

export type AblationMode = 'resample' | 'mean' | 'zero';
export type UnimportantMode = 'shared' | 'separate';

export interface RunOptions {
    /** Number of root examples. */
    samples: number;
    seed: number;
    ablation: AblationMode;
    unimportant: UnimportantMode;
}

/**
 * One interpretation node. `graphNode` names a G node: a hook name, a part `hook.part` or
 * `hook.rest`, or `output`. `parents` name other interpretation nodes or input parts (`input`,
 * `input.z1`, `input.rest`).
 */
export interface InterpNodeSpec {
    name: string;
    graphNode: string;
    /**
     * null for the output node, and for a node written without a feature: as a parent it is then
     * computed on the same example as its child (its class is the example alone).
     */
    feature: Expr | null;
    parents: string[];
}

export interface HypothesisSpec {
    name: string;
    /** Where the hypothesis is declared (the .hyp file and line), for the errors a scrub of it raises. */
    source?: { file: string; line?: number };
    /** Topologically sorted (parents first); exactly one node has graphNode `output`. */
    nodes: InterpNodeSpec[];
    options: RunOptions;
}

export interface ScrubSpec {
    /** Absolute path of the `.onnx` file. */
    modelPath: string;
    dataset: DatasetSpec;
    graph: GraphSpec;
    metric: MetricSpec;
    /** Absolute path of a JavaScript module whose exports are callable in features. */
    featuresModule?: string;
    hypotheses: HypothesisSpec[];
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
    samples: 2048,
    seed: 0,
    ablation: 'resample',
    unimportant: 'shared',
};
