// The value of every feature of a hypothesis on every dataset example, as the language can compute
// it without running the model or user code: shared by the slow uniqueness check and the I node
// hover (its agreement counts). Cached per analysis, which changes with the text and loaded files.
import { Cancellation, interruptAndCheck } from 'langium';
import { BUILTINS } from '../../engine/features/builtins.js';
import { compileExpr } from '../../engine/features/evaluate.js';
import { isInputPart, topologicalOrder } from '../../engine/features/feature-table.js';
import { isHypError } from '../../engine/errors.js';
import type { Expr, FeatureValue } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerDataset, lowerHypothesis } from '../lowering/hyp-lowering.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import { featureHasStaticErrors } from '../validation/feature-scope.js';
import type { DocumentAnalysis } from './hyp-document-analysis.js';
import { inputPartValues } from './input-part-values.js';

/** A node's values per example; the first row it fails on; or `skipped` (static errors, user functions, unknown parents). */
export type NodeValues = { values: FeatureValue[] } | { error: string } | { skipped: true };

/** Per effective I node of the hypothesis (by name), its feature's values; nodes without a feature are absent. */
export type HypothesisValues = ReadonlyMap<string, NodeValues>;

const BUILTIN_NAMES = new Set(BUILTINS.keys());
const cache = new WeakMap<DocumentAnalysis, Map<ast.Hypothesis, HypothesisValues>>();

/** Evaluates a hypothesis's features on the loaded dataset (undefined without one, or with a cycle). */
export async function hypothesisFeatureValues(analysis: DocumentAnalysis, h: ast.Hypothesis,
    token: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<HypothesisValues | undefined> {
    const hit = cache.get(analysis)?.get(h);
    if (hit) return hit;
    const dataset = analysis.dataset;
    if (!dataset?.loaded?.ok) return undefined;
    const resolved = resolveHypothesis(h);
    if (resolved.cyclic) return undefined;
    let order;
    try {
        order = topologicalOrder(lowerHypothesis(h, analysis.file.elements.filter(ast.isRunOption)).nodes);
    } catch {
        return undefined; // cycles are reported by the fast checks
    }
    const rows = dataset.loaded.value.rows;
    let inputPart: ((part: string, row: number) => FeatureValue) | undefined;
    try {
        inputPart = inputPartValues(lowerDataset(dataset.decl, dataset.loaded.path), analysis.graphSpec, rows);
    } catch {
        inputPart = undefined;
    }
    const parts = new Map<string, FeatureValue[] | undefined>();
    const partValues = (part: string): FeatureValue[] | undefined => {
        if (!parts.has(part)) {
            try {
                parts.set(part, inputPart && rows.map((_, i) => inputPart(part, i)));
            } catch {
                parts.set(part, undefined);
            }
        }
        return parts.get(part);
    };
    const table = new Map<string, NodeValues>();
    for (const node of order) {
        await interruptAndCheck(token);
        const decl = resolved.nodes.get(node.name);
        if (node.feature === null || !decl?.feature) continue;
        const parents = new Map(node.parents.map(p => {
            const v = isInputPart(p) ? partValues(p) : table.get(p);
            return [p, v === undefined || Array.isArray(v) ? v : 'values' in v ? v.values : undefined] as const;
        }));
        if ([...parents.values()].some(v => v === undefined) || callsUnknownFunction(node.feature) || featureHasStaticErrors(decl, analysis)) {
            table.set(node.name, { skipped: true });
            continue;
        }
        table.set(node.name, evaluateOnRows(node.feature, rows, parents));
    }
    let perAnalysis = cache.get(analysis);
    if (!perAnalysis) cache.set(analysis, perAnalysis = new Map());
    perAnalysis.set(h, table);
    return table;
}

function evaluateOnRows(feature: Expr, rows: readonly Record<string, unknown>[], parents: ReadonlyMap<string, FeatureValue[] | undefined>): NodeValues {
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
