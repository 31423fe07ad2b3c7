// The feature expression language at run time and for checking: evaluation, builtins, types,
// feature tables and classes. Plain TypeScript: no Langium, no onnxruntime.
export { BUILTINS, Closure, type ArgType, type Builtin, type RuntimeValue, type TypeRuleResult } from './builtins.js';
export { compileExpr, evaluate, type CompiledExpr, type EvalEnv, type FeatureFunctions } from './evaluate.js';
export { evaluateFeatures, featureClasses, isInputPart, topologicalOrder, type FeatureClasses, type FeatureEvaluationOptions, type FeatureTable } from './feature-table.js';
export { checkExprType, type TypeEnv, type TypeIssue, type TypeIssueCode } from './typecheck.js';
export * from './types.js';
export { describeValue, featureKey, isFeatureValue, valuesEqual } from './values.js';
