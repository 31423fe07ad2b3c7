// A hypothesis's plan size as the language can work it out without running the model: the derived
// G, the lowered hypothesis, and the feature classes of feature-values.ts, planned for a few roots
// (engine/plan/plan-size.ts). Shared by the slow warning, the hover, the code lens and `hyp check`;
// cached per analysis, which changes with the text and the loaded files.
import { Cancellation, interruptAndCheck } from 'langium';
import { isHypError } from '../../engine/errors.js';
import { featureClasses } from '../../engine/features/feature-table.js';
import { describePlanSize, estimatePlanSize, isExponential, type PlanSize } from '../../engine/plan/plan-size.js';
import type { PlanNode } from '../../engine/plan/planner.js';
import * as ast from '../generated/ast.js';
import { lowerHypothesis } from '../lowering/hyp-lowering.js';
import type { DocumentAnalysis } from './hyp-document-analysis.js';
import { hypothesisFeatureValues } from './feature-values.js';

/** The estimate, or why there is none (no G, a feature whose values the editor cannot know). */
export type PlanSizeResult = { size: PlanSize } | { unavailable: string };

const cache = new WeakMap<DocumentAnalysis, Map<ast.Hypothesis, PlanSizeResult>>();

/** Estimates the plan of hypothesis `h` on the analysis's G and dataset. */
export async function hypothesisPlanSize(analysis: DocumentAnalysis, h: ast.Hypothesis,
    token: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<PlanSizeResult> {
    const hit = cache.get(analysis)?.get(h);
    if (hit) return hit;
    const result = await estimate(analysis, h, token);
    let perAnalysis = cache.get(analysis);
    if (!perAnalysis) cache.set(analysis, perAnalysis = new Map());
    perAnalysis.set(h, result);
    return result;
}

/**
 * The estimate when one was already made for this analysis (by the slow checks or a hover), without
 * making one: the code lens is asked for on every edit, and features over the dataset are slow work.
 */
export function cachedPlanSize(analysis: DocumentAnalysis, h: ast.Hypothesis): PlanSizeResult | undefined {
    return cache.get(analysis)?.get(h);
}

async function estimate(analysis: DocumentAnalysis, h: ast.Hypothesis, token: Cancellation.CancellationToken): Promise<PlanSizeResult> {
    const g = analysis.derived?.g;
    if (!g) return { unavailable: 'the model graph G is not derived (the model must load)' };
    const table = await hypothesisFeatureValues(analysis, h, token);
    if (!table) return { unavailable: 'the features need the dataset, which is not loaded' };
    await interruptAndCheck(token);
    let spec;
    try {
        spec = lowerHypothesis(h, analysis.file.elements.filter(ast.isRunOption));
    } catch {
        return { unavailable: 'the hypothesis has errors' };
    }
    const nodes: PlanNode[] = [];
    let datasetSize = 0;
    for (const node of spec.nodes) {
        if (node.feature === null) {
            nodes.push({ name: node.name, graphNode: node.graphNode, parents: node.parents, classes: null });
            continue;
        }
        const values = table.get(node.name);
        if (!values || !('values' in values)) return { unavailable: `the values of ${node.name}'s feature are not known here` };
        datasetSize = values.values.length;
        nodes.push({ name: node.name, graphNode: node.graphNode, parents: node.parents, classes: featureClasses(values.values) });
    }
    const dataset = analysis.dataset?.loaded;
    if (dataset?.ok) datasetSize = dataset.value.rows.length;
    if (datasetSize === 0) return { unavailable: 'the dataset is empty or not loaded' };
    // A node on a G node this G lacks: the fast checks report it where it is.
    const unknown = spec.nodes.find(n => n.graphNode !== 'output' && !g.nodes.has(n.graphNode));
    if (unknown) return { unavailable: `${unknown.name}'s G node ${unknown.graphNode} is not in G` };
    try {
        return { size: estimatePlanSize(g, nodes, { seed: spec.options.seed, ablation: spec.options.ablation, unimportant: spec.options.unimportant, datasetSize }) };
    } catch (e) {
        // What the engine refuses by name; anything else is our bug, and says so.
        if (isHypError(e)) return { unavailable: `the hypothesis does not fit G (${e.message})` };
        return { unavailable: `internal error while planning: ${(e as Error).message ?? String(e)} (please report it)` };
    }
}

/** `Plan: ≈ 7.0 distinct requests per root (…)`, as the hover and the code lens's tooltip say it. */
export function describePlanResult(result: PlanSizeResult): string {
    if (!('size' in result)) return `Plan: not estimated (${result.unavailable}).`;
    return `${isExponential(result.size) ? '⚠ Large plan' : 'Plan'}: ${describePlanSize(result.size)}.`;
}
