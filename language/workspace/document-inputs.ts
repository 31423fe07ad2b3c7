// The model's input tensors for every dataset row, built by the engine's own code from the loaded
// model and dataset (engine/execute/model-inputs.ts): the slow checks report a row that does not
// fit, and features read input parts from these tensors exactly as a scrub will (padding, dtype
// and all). Cached per analysis, which changes with the text and the loaded files.
import { compileExpr } from '../../engine/features/evaluate.js';
import { checkExprType } from '../../engine/features/typecheck.js';
import { ANY, type FeatureType } from '../../engine/features/types.js';
import { isHypError, type HypError } from '../../engine/errors.js';
import { inputOwners, inputPartValue } from '../../engine/execute/input-parts.js';
import { buildInputColumn, modelInputsOf, type InputColumn, type ModelInputs } from '../../engine/execute/model-inputs.js';
import type { FeatureValue } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerDataset } from '../lowering/hyp-lowering.js';
import { lowerIfComplete } from '../lowering/lower-expression.js';
import { callsUserFunction } from './user-functions.js';
import type { DocumentAnalysis } from './hyp-document-analysis.js';

/** Every input built; or the bindings whose rows do not fit, each with the engine's located error. */
export type DocumentInputs =
    | {
        ok: true;
        inputs: ModelInputs;
        /** An input part's value on a row, as features read it; undefined when G could not be derived or has no such part. */
        partValue(part: string, row: number): FeatureValue[] | undefined;
    }
    | { ok: false; problems: { binding: ast.InputBinding; error: HypError }[] };

const cache = new WeakMap<DocumentAnalysis, DocumentInputs | undefined>();

/**
 * The document's model inputs; undefined when they cannot be built here: the model or the dataset
 * did not load, a model input is unbound, or a binding has an error of its own (the fast checks
 * report those) or calls a features-module function (the language server runs no user code).
 */
export function documentInputs(analysis: DocumentAnalysis): DocumentInputs | undefined {
    if (cache.has(analysis)) return cache.get(analysis);
    const result = build(analysis);
    cache.set(analysis, result);
    return result;
}

function build(analysis: DocumentAnalysis): DocumentInputs | undefined {
    const model = analysis.model?.loaded;
    const data = analysis.dataset?.loaded;
    const decl = analysis.dataset?.decl;
    if (!model?.ok || !data?.ok || !decl || !analysis.fieldTypes) return undefined;
    const graph = model.value;
    const bindings = new Map(decl.members.filter(ast.isInputBinding).filter(b => b.name !== undefined).map(b => [b.name, b]));
    for (const name of graph.inputs) {
        const b = bindings.get(name);
        if (!b || bindingHasProblems(b, analysis)) return undefined;
    }
    const spec = lowerDataset(decl, data.path);
    const evaluate = (expr: Parameters<typeof compileExpr>[0], row: Record<string, unknown>) => compileExpr(expr)({ values: row });
    const columns = new Map<string, InputColumn>();
    const problems: { binding: ast.InputBinding; error: HypError }[] = [];
    for (const name of graph.inputs) {
        try {
            columns.set(name, buildInputColumn(graph, data.value, spec, name, evaluate));
        } catch (e) {
            if (!isHypError(e)) throw e;
            problems.push({ binding: bindings.get(name)!, error: e });
        }
    }
    if (problems.length > 0) return { ok: false, problems };
    const inputs = modelInputsOf(graph.inputs, columns, data.value.rows.length);
    const g = analysis.derived?.g;
    const owners = g && inputOwners(g, inputs);
    return {
        ok: true,
        inputs,
        partValue: (part, row) => {
            if (!g || !owners) return undefined;
            try {
                return inputPartValue(g, inputs, owners, part, row);
            } catch (e) {
                if (isHypError(e)) return undefined; // not an input part of G: a fast check says so
                throw e;
            }
        },
    };
}

/** Whether a binding has a problem a fast check reports, or calls the features module (not run here). */
export function bindingHasProblems(b: ast.InputBinding, analysis: Pick<DocumentAnalysis, 'fieldTypes' | 'functionNames'>): boolean {
    const lowered = lowerIfComplete(b.value);
    if (lowered === undefined || callsUserFunction(lowered)) return true;
    let failed = false;
    const type = checkExprType(lowered, {
        lookup: name => analysis.fieldTypes?.get(name) ?? (analysis.fieldTypes ? undefined : ANY),
        hasFunction: name => analysis.functionNames.has(name),
    }, () => { failed = true; });
    // The fast check reports these (dataset-checks.ts, checkInputBindingType).
    const vocabulary = b.$container.members.some(ast.isVocabularyDecl);
    return failed || (type.kind === 'string' ? !vocabulary : !isNumeric(type));
}

function isNumeric(t: FeatureType): boolean {
    if (t.kind === 'number' || t.kind === 'boolean' || t.kind === 'any') return true;
    return t.kind === 'list' && isNumeric(t.element);
}

/** The error's message with the dataset row it names, as `file:line: message (hint)`. */
export function atRow(error: HypError, datasetPath: string): string {
    const where = error.location?.line !== undefined ? `${datasetPath}:${error.location.line}: ` : '';
    return `${where}${error.message}${error.hint ? ` (${error.hint})` : ''}`;
}
