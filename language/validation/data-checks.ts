// The slow checks of the data against the model (Langium's `slow` category: they read every row),
// made with the engine's own functions so that `hyp check` refuses what a scrub would: every row's
// input tensors fit the model's inputs (shape and dtype), every label is one of the output's
// classes, and the position the metric reads is one of the output's positions on every row. Each
// is reported on the declaration, with the dataset file and line of the first row at fault. Also
// here, as it needs the model's dtypes: `ablation mean` only over float tensors.
import type { ValidationAcceptor } from 'langium';
import { isHypError, type HypError } from '../../engine/errors.js';
import { checkMetricRows, readLabels } from '../../engine/dataset/metric-rows.js';
import { needsLabel } from '../../engine/score/behaviours.js';
import type { MetricSpec } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerHypothesis, lowerMetric } from '../lowering/hyp-lowering.js';
import { atRow, documentInputs } from '../workspace/document-inputs.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

const METRICS = ['cross_entropy', 'accuracy', 'logit_diff', 'kl'];

/** Every row against the model: its inputs, its label and the metric's position. */
export function checkDataAgainstModel(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const dataset = analysis.dataset;
    if (!dataset?.loaded?.ok) return;
    const inputs = documentInputs(analysis);
    if (inputs && !inputs.ok) {
        for (const { binding, error } of inputs.problems) {
            accept('error', atRow(error, dataset.decl.path), { node: binding, property: 'value', code: IssueCodes.InputRow });
        }
    }
    checkMetricData(analysis, accept);
    checkMeanAblation(analysis, accept);
}

/**
 * `ablation mean` replaces every G-parent a node leaves unimportant by its dataset mean, which an
 * integer tensor (token ids) does not have: the scrub would stop at the first such parent.
 */
function checkMeanAblation(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const g = analysis.derived?.g;
    const model = analysis.model?.loaded;
    if (!g || !model?.ok) return;
    const fileOptions = analysis.file.elements.filter(ast.isRunOption);
    for (const h of analysis.file.elements.filter(ast.isHypothesis)) {
        let spec;
        try {
            spec = lowerHypothesis(h, fileOptions);
        } catch {
            continue; // cycles and the like: the fast checks report them
        }
        if (spec.options.ablation !== 'mean') continue;
        const graphNodeOf = new Map(spec.nodes.map(n => [n.name, n.graphNode]));
        const offending = new Map<string, { dtype: string; node: string }>();
        for (const node of spec.nodes) {
            if (!g.nodes.has(node.graphNode)) continue;
            const claimed = new Set(node.parents.map(p => graphNodeOf.get(p) ?? p));
            for (const parent of g.parents(node.graphNode)) {
                if (claimed.has(parent)) continue;
                for (const { tensor } of g.nodes.get(parent)?.tensors ?? []) {
                    const dtype = (analysis.modelGraph ?? model.value).tensors.get(tensor)?.dtype;
                    if (dtype && dtype !== 'float32' && dtype !== 'float64' && !offending.has(tensor)) offending.set(tensor, { dtype, node: parent });
                }
            }
        }
        if (offending.size === 0) continue;
        const list = [...offending].map(([t, o]) => `${t} holds ${o.dtype} values`).join(', ');
        const nodes = [...new Set([...offending.values()].map(o => o.node))].join(', ');
        const own = h.members.find(ast.isAblationOption);
        const message = `ablation mean averages the G-parents this hypothesis leaves unimportant, but ${list}: a scrub would stop (use ablation resample or zero, or claim ${nodes})`;
        if (own) accept('error', message, { node: own, property: 'mode', code: IssueCodes.OptionInvalid });
        else accept('error', message, { node: h, property: 'name', code: IssueCodes.OptionInvalid });
    }
}

function checkMetricData(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const model = analysis.model?.loaded;
    const dataset = analysis.dataset;
    const metricDecl = analysis.file.elements.find(ast.isMetricDecl);
    const types = analysis.fieldTypes;
    if (!model?.ok || !dataset?.loaded?.ok || !metricDecl || !types || !METRICS.includes(metricDecl.kind)) return;
    const output = model.value.tensors.get(model.value.outputs[0]);
    if (output?.dtype && output.dtype !== 'float32') {
        accept('error', `the model output "${output.name}" holds ${output.dtype} values; every metric reads float32 logits (export the model with float32 logits as its first output)`,
            { node: metricDecl, property: 'kind', code: IssueCodes.MetricUnknown });
        return;
    }
    const shape = output?.shape;
    if (!shape) return;
    let metric: MetricSpec = lowerMetric(metricDecl);
    // Wrong arguments and a position field that is not an integer field are the fast checks' (option-checks.ts).
    const args = metricDecl.args ?? [];
    if (metric.kind === 'logit_diff' && (args.length !== 2 || args.some(a => !Number.isInteger(a) || a < 0))) return;
    const positionType = metricDecl.field === undefined ? undefined : types.get(metricDecl.field);
    if (metricDecl.field !== undefined && !(positionType?.kind === 'number' && positionType.integer)) metric = { ...metric, position: undefined };

    const labelDecl = dataset.decl.members.find(ast.isLabelDecl);
    const labelType = labelDecl && types.get(labelDecl.field);
    const labelUsable = labelType !== undefined && (labelType.kind === 'boolean' || (labelType.kind === 'number' && labelType.integer));
    let labels: Int32Array | null = null;
    // The engine reads the labels whenever one is declared, and needs one for these metrics.
    if (labelDecl) {
        if (!labelUsable) return; // checkLabel and checkLabelPresent report it
        try {
            labels = readLabels(dataset.loaded.value, labelDecl.field);
        } catch (e) {
            if (!isHypError(e)) throw e;
            accept('error', atRow(e, dataset.decl.path), { node: labelDecl, property: 'field', code: IssueCodes.LabelClass });
            return;
        }
    } else if (needsLabel(metric)) {
        return;
    }
    try {
        checkMetricRows(metric, dataset.loaded.value, labels, shape.slice(1));
    } catch (e) {
        if (!isHypError(e)) throw e;
        report(e, metricDecl, labelDecl, dataset.decl.path, accept);
    }
}

function report(e: HypError, metric: ast.MetricDecl, label: ast.LabelDecl | undefined, datasetPath: string, accept: ValidationAcceptor): void {
    const message = atRow(e, datasetPath);
    if (e.code === 'metric-label' && e.location && label) {
        accept('error', message, { node: label, property: 'field', code: IssueCodes.LabelClass });
    } else if (e.code === 'metric-label') {
        accept('error', message, { node: metric, property: 'args', code: IssueCodes.MetricArguments });
    } else {
        accept('error', message, { node: metric, property: metric.field !== undefined ? 'field' : 'index', code: IssueCodes.MetricPosition });
    }
}
