// The slow checks of the data against the model (Langium's `slow` category: they read every row),
// made with the engine's own functions so that `hyp check` refuses what a scrub would: every row's
// input tensors fit the model's inputs (shape and dtype), every label is one of the output's
// classes, and the position the metric reads is one of the output's positions on every row. Each
// is reported on the declaration, with the dataset file and line of the first row at fault.
import type { ValidationAcceptor } from 'langium';
import { isHypError, type HypError } from '../../engine/errors.js';
import { checkMetricRows, readLabels } from '../../engine/dataset/metric-rows.js';
import { needsLabel } from '../../engine/score/behaviours.js';
import type { MetricSpec } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerMetric } from '../lowering/hyp-lowering.js';
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
}

function checkMetricData(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const model = analysis.model?.loaded;
    const dataset = analysis.dataset;
    const metricDecl = analysis.file.elements.find(ast.isMetricDecl);
    const types = analysis.fieldTypes;
    if (!model?.ok || !dataset?.loaded?.ok || !metricDecl || !types || !METRICS.includes(metricDecl.kind)) return;
    const shape = model.value.tensors.get(model.value.outputs[0])?.shape;
    if (!shape) return;
    let metric: MetricSpec = lowerMetric(metricDecl);
    // Wrong arguments and a position field that is not an integer field are the fast checks' (option-checks.ts).
    if (metric.kind === 'logit_diff' && (metricDecl.args.length !== 2 || metricDecl.args.some(a => !Number.isInteger(a) || a < 0))) return;
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
