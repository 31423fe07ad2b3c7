// The value of every feature of a hypothesis on every dataset example, as the language can compute
// it without running the model or user code: shared by the slow uniqueness check and the I node
// hover (its agreement counts). Cached per analysis, which changes with the text and loaded files.
import { Cancellation, interruptAndCheck } from 'langium';
import { compileExpr } from '../../engine/features/evaluate.js';
import { isInputPart, topologicalOrder } from '../../engine/features/feature-table.js';
import { isHypError } from '../../engine/errors.js';
import type { Expr, FeatureValue } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerHypothesis } from '../lowering/hyp-lowering.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import { featureHasStaticErrors } from '../validation/feature-scope.js';
import type { DocumentAnalysis } from './hyp-document-analysis.js';
import { documentInputs } from './document-inputs.js';
import { callsUserFunction, namesRead } from './user-functions.js';

/** A node's values per example; the first row it fails on; or why it was not evaluated (static errors, user functions, a parent it reads whose values are unknown). */
export type NodeValues = { values: FeatureValue[] } | { error: string } | { skipped: string };

/** Per effective I node of the hypothesis (by name), its feature's values; nodes without a feature are absent. */
export type HypothesisValues = ReadonlyMap<string, NodeValues>;

const cache = new WeakMap<DocumentAnalysis, Map<ast.Hypothesis, HypothesisValues>>();

/**
 * Per analysis, what is shared between hypotheses: input part values, and each declared node's
 * results by the parent values it read (an inherited node reading the same parents, as across an
 * `extends` family, is evaluated once: paren.hyp's h0 is the same in six hypotheses).
 */
interface Shared {
    parts: Map<string, FeatureValue[] | undefined>;
    results: WeakMap<ast.InterpNode, { reads: FeatureValue[][]; result: NodeValues }[]>;
}
const shared = new WeakMap<DocumentAnalysis, Shared>();

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
    const { rows, rowLines } = dataset.loaded.value;
    let common = shared.get(analysis);
    if (!common) shared.set(analysis, common = { parts: new Map(), results: new WeakMap() });
    const { parts, results } = common;
    const partValues = (part: string): FeatureValue[] | undefined => {
        if (!parts.has(part)) {
            let values: FeatureValue[] | undefined;
            // Built on first use: a hover on a feature that reads no input part does not build the inputs.
            const inputs = documentInputs(analysis);
            if (inputs?.ok) {
                values = new Array(rows.length);
                for (let i = 0; i < rows.length && values; i++) {
                    const v = inputs.partValue(part, i);
                    if (v === undefined) values = undefined;
                    else values[i] = v;
                }
            }
            parts.set(part, values);
        }
        return parts.get(part);
    };
    const table = new Map<string, NodeValues>();
    for (const node of order) {
        await interruptAndCheck(token);
        const decl = resolved.nodes.get(node.name);
        if (node.feature === null || !decl?.feature) continue;
        if (featureHasStaticErrors(decl, analysis)) {
            table.set(node.name, { skipped: 'the feature has errors' });
            continue;
        }
        if (callsUserFunction(node.feature)) {
            table.set(node.name, { skipped: 'the feature calls a features-module function, which the editor does not run' });
            continue;
        }
        // Only the parents the feature reads: a parent without a feature (or one whose values are
        // not known) is no reason to skip a feature that does not read it.
        const read = namesRead(node.feature);
        const parents = new Map(node.parents.filter(p => read.has(p)).map(p => {
            const v = isInputPart(p) ? partValues(p) : table.get(p);
            return [p, v === undefined || Array.isArray(v) ? v : 'values' in v ? v.values : undefined] as const;
        }));
        const unknown = [...parents].find(([, v]) => v === undefined)?.[0];
        if (unknown !== undefined) {
            const why = isInputPart(unknown) ? ' (the model and dataset must load and fit each other)' : '';
            table.set(node.name, { skipped: `the feature reads ${unknown}, whose values are not known here${why}` });
            continue;
        }
        const reads = [...parents.values()] as FeatureValue[][];
        let known = results.get(decl);
        if (!known) results.set(decl, known = []);
        const same = known.find(k => k.reads.length === reads.length && k.reads.every((r, i) => r === reads[i]));
        const result = same?.result ?? evaluateOnRows(node.feature, rows, parents, row => `${dataset.decl.path}:${rowLines[row]}`);
        if (!same) known.push({ reads, result });
        table.set(node.name, result);
    }
    let perAnalysis = cache.get(analysis);
    if (!perAnalysis) cache.set(analysis, perAnalysis = new Map());
    perAnalysis.set(h, table);
    return table;
}

function evaluateOnRows(feature: Expr, rows: readonly Record<string, unknown>[], parents: ReadonlyMap<string, FeatureValue[] | undefined>,
    where: (row: number) => string): NodeValues {
    const compiled = compileExpr(feature);
    const values: FeatureValue[] = new Array(rows.length);
    let row = 0;
    const env = { lookup: (name: string) => parents.get(name)?.[row], values: undefined as Record<string, unknown> | undefined };
    for (row = 0; row < rows.length; row++) {
        env.values = rows[row];
        try {
            values[row] = compiled(env);
        } catch (e) {
            return { error: `this feature fails on dataset row ${row + 1} (${where(row)}): ${isHypError(e) ? e.message : String(e)}` };
        }
    }
    return { values };
}
