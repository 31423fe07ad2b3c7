// The expensive check (Langium's `slow` category): every feature is evaluated on the whole dataset.
// A feature whose value is unique for most examples makes resampling return the example itself,
// so the hypothesis claims something it never tests; a feature that fails on some row is an error
// the scrub would hit.
import type { ValidationAcceptor } from 'langium';
import { BUILTINS } from '../../engine/features/builtins.js';
import { compileExpr } from '../../engine/features/evaluate.js';
import { featureClasses, isInputPart, topologicalOrder } from '../../engine/features/feature-table.js';
import { isHypError } from '../../engine/errors.js';
import type { Expr, FeatureValue } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerDataset, lowerHypothesis } from '../lowering/hyp-lowering.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { inputPartValues } from '../workspace/input-part-values.js';
import { featureHasStaticErrors } from './feature-scope.js';
import { IssueCodes } from './issue-codes.js';

/** Above this share of examples in singleton classes, a feature is reported as mostly unique. */
export const UNIQUE_SHARE_LIMIT = 0.5;

const BUILTIN_NAMES = new Set(BUILTINS.keys());

/** Evaluates each hypothesis's features on the dataset; warns on mostly-unique ones, errors on failing ones. */
export function checkFeatureUniqueness(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const dataset = analysis.dataset;
    if (!dataset?.loaded?.ok) return;
    const rows = dataset.loaded.value.rows;
    let inputPart: ((part: string, row: number) => FeatureValue) | undefined;
    try {
        inputPart = inputPartValues(lowerDataset(dataset.decl, dataset.loaded.path), analysis.graphSpec, rows);
    } catch {
        inputPart = undefined;
    }
    const fileOptions = analysis.file.elements.filter(ast.isRunOption);
    for (const h of analysis.file.elements.filter(ast.isHypothesis)) {
        const resolved = resolveHypothesis(h);
        if (resolved.cyclic) continue;
        const spec = lowerHypothesis(h, fileOptions);
        let order;
        try {
            order = topologicalOrder(spec.nodes);
        } catch {
            continue; // cycles are reported by the fast checks
        }
        const table = new Map<string, FeatureValue[] | undefined>();
        const partValues = (part: string): FeatureValue[] | undefined => {
            if (!table.has(part)) {
                let values: FeatureValue[] | undefined;
                try {
                    values = inputPart && rows.map((_, i) => inputPart(part, i));
                } catch {
                    values = undefined;
                }
                table.set(part, values);
            }
            return table.get(part);
        };
        for (const node of order) {
            const decl = resolved.nodes.get(node.name);
            if (node.feature === null || !decl?.feature) continue;
            // Inherited nodes are reported in the hypothesis that declares them.
            const local = decl.$container === h;
            const parents = new Map(node.parents.map(p => [p, isInputPart(p) ? partValues(p) : table.get(p)]));
            if ([...parents.values()].some(v => v === undefined) || callsUnknownFunction(node.feature) || featureHasStaticErrors(decl, analysis)) {
                table.set(node.name, undefined);
                continue;
            }
            const values = evaluateOnRows(node.feature, rows, parents);
            if ('error' in values) {
                if (local) accept('error', values.error, { node: decl, property: 'feature', code: IssueCodes.FeatureRuntime });
                table.set(node.name, undefined);
                continue;
            }
            table.set(node.name, values.values);
            if (!local) continue;
            const { members } = featureClasses(values.values);
            const singletons = members.filter(m => m.length === 1).length;
            if (rows.length > 1 && singletons / rows.length > UNIQUE_SHARE_LIMIT) {
                const pct = Math.round((100 * singletons) / rows.length);
                accept('warning', `the feature of ${node.name} is unique for ${pct}% of the examples (${singletons} of ${rows.length}): resampling can only return the example itself, so this claim is not tested`,
                    { node: decl, property: 'feature', code: IssueCodes.FeatureMostlyUnique, data: { singletons, examples: rows.length } });
            }
        }
    }
}

function evaluateOnRows(feature: Expr, rows: readonly Record<string, unknown>[], parents: ReadonlyMap<string, FeatureValue[] | undefined>):
    { values: FeatureValue[] } | { error: string } {
    const compiled = compileExpr(feature);
    const values: FeatureValue[] = new Array(rows.length);
    let row = 0;
    const env = { lookup: (name: string) => parents.get(name)?.[row], values: undefined as Record<string, unknown> | undefined };
    for (row = 0; row < rows.length; row++) {
        env.values = rows[row];
        try {
            values[row] = compiled(env);
        } catch (e) {
            return { error: `this feature fails on dataset row ${row + 1}: ${isHypError(e) ? e.message : String(e)}` };
        }
    }
    return { values };
}

/** Features-module functions are not run by the language server (it runs no user code). */
function callsUnknownFunction(e: Expr): boolean {
    const walk = (x: Expr): boolean => {
        switch (x.kind) {
            case 'call': return !BUILTIN_NAMES.has(x.callee) || x.args.some(walk);
            case 'list': return x.items.some(walk);
            case 'unary': return walk(x.arg);
            case 'binary': return walk(x.left) || walk(x.right);
            case 'conditional': return walk(x.test) || walk(x.then) || walk(x.else);
            case 'index': return walk(x.target) || walk(x.index);
            case 'slice': return walk(x.target) || (x.start !== undefined && walk(x.start)) || (x.end !== undefined && walk(x.end));
            case 'lambda': return walk(x.body);
            default: return false;
        }
    };
    return walk(e);
}
