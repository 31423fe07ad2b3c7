// Every diagnostic code the language reports. Code actions name the code they fix, so a code is a
// stable identifier: rename one only together with its quick fix and docs/language.md.
export namespace IssueCodes {
    // Declarations (validation/declaration-checks.ts)
    export const ModelMissing = 'model-missing';
    export const ModelUnreadable = 'model-unreadable';
    export const DatasetMissing = 'dataset-missing';
    export const DatasetUnreadable = 'dataset-unreadable';
    export const FeaturesUnreadable = 'features-unreadable';
    export const DeclarationDuplicate = 'declaration-duplicate';
    export const PathUnresolved = 'path-unresolved';
    // Dataset block (validation/dataset-checks.ts)
    export const InputUnknown = 'input-unknown';
    export const InputUnbound = 'input-unbound';
    export const InputType = 'input-type';
    export const LabelUnknown = 'label-unknown';
    export const LabelMissing = 'label-missing';
    export const VocabularyInvalid = 'vocabulary-invalid';
    // Rows against the model (validation/data-checks.ts, slow)
    export const InputRow = 'input-row';
    export const LabelClass = 'label-class';
    // Metric and run options (validation/option-checks.ts)
    export const MetricMissing = 'metric-missing';
    export const MetricUnknown = 'metric-unknown';
    export const MetricArguments = 'metric-arguments';
    export const MetricPosition = 'metric-position';
    export const MetricLabelFree = 'metric-label-free';
    export const OptionInvalid = 'option-invalid';
    export const OptionDuplicate = 'option-duplicate';
    // Graph block (validation/graph-checks.ts)
    export const TensorUnknown = 'tensor-unknown';
    export const TensorDuplicate = 'tensor-duplicate';
    export const TensorUnreachable = 'tensor-unreachable';
    export const TensorNotPerExample = 'tensor-not-per-example';
    /** A hook on a tensor the model fills with infinities or NaN (a mask applied with -inf), seen by the probe run. */
    export const TensorNotFinite = 'tensor-not-finite';
    export const InputSplitUnknown = 'input-split-unknown';
    export const SplitInvalid = 'split-invalid';
    /** A rewrite into a sum of parts that cannot be made: its source, shapes, vectors (graph/rewrite.ts). */
    export const RewriteInvalid = 'rewrite-invalid';
    /** A rewrite through a map whose chain holds an op that is not linear, or reads more than its source. */
    export const RewriteNotLinear = 'rewrite-not-linear';
    /** A decomposition by subspaces whose subspaces are not mutually orthogonal. */
    export const RewriteNotOrthogonal = 'rewrite-not-orthogonal';
    /** A rewrite whose parts do not add up to the tensor on dataset rows (hyp check, scrub). */
    export const RewriteInexact = 'rewrite-inexact';
    export const HookUnused = 'hook-unused';
    // Names (validation/name-checks.ts)
    export const DuplicateName = 'duplicate-name';
    // Hypotheses (validation/hypothesis-checks.ts)
    export const GraphNodeUnknown = 'graph-node-unknown';
    export const GraphNodeOutput = 'graph-node-output';
    export const CorrespondenceNotInjective = 'correspondence-not-injective';
    export const EdgeNotInGraph = 'edge-not-in-graph';
    export const EdgeNumericallyInert = 'edge-numerically-inert';
    // The numeric pass itself (validation/numeric-pass-checks.ts): it could not test a claimed edge
    export const NumericPassFailed = 'numeric-pass-failed';
    export const NumericPassSkipped = 'numeric-pass-skipped';
    export const NumericBudgetSettingInvalid = 'numeric-budget-setting-invalid';
    export const OutputMissing = 'output-missing';
    export const OutputDuplicate = 'output-duplicate';
    export const InterpCycle = 'interp-cycle';
    export const InterpNodeUnused = 'interp-node-unused';
    export const ExtendsCycle = 'extends-cycle';
    export const ParentDuplicate = 'parent-duplicate';
    // Features (validation/feature-checks.ts, validation/feature-uniqueness.ts)
    export const FeatureUnknownName = 'feature-unknown-name';
    export const FeatureParentWithoutFeature = 'feature-parent-without-feature';
    export const FeatureUnknownFunction = 'feature-unknown-function';
    export const FeatureArity = 'feature-arity';
    export const FeatureType = 'feature-type';
    export const FeatureRuntime = 'feature-runtime';
    export const FeatureMostlyUnique = 'feature-mostly-unique';
    // The plan of a scrub (validation/plan-size-check.ts, slow)
    export const PlanExponential = 'plan-exponential';
}
