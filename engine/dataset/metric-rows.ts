// What the metric reads from every dataset row, checked before any hypothesis runs: the label is a
// class of the model's output, and the position it is read at is one of the output's positions. A
// scrub reads these only for the roots it draws, so a bad row would otherwise fail late, or, with
// few samples, never be seen. The language's slow checks call the same functions with the output
// shape the model file declares, so `hyp check` refuses what a scrub would.
import { HypError } from '../errors.js';
import type { MetricSpec } from '../spec.js';
import type { Dataset } from './dataset.js';
import { needsLabel } from '../score/behaviours.js';

/** Each row's label as a class index; throws `label-type` at the first row that does not hold one. */
export function readLabels(dataset: Dataset, field: string | undefined): Int32Array {
    if (field === undefined) throw new HypError('the metric needs a label: declare `label <field>` in the dataset block', 'label-missing', { file: dataset.path });
    const labels = new Int32Array(dataset.rows.length);
    dataset.rows.forEach((row, r) => {
        const v = row[field];
        const k = typeof v === 'boolean' ? Number(v) : v;
        if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
            throw new HypError(`label field "${field}" must hold a class index (a non-negative integer or a boolean), got ${JSON.stringify(v)}`,
                'label-type', { file: dataset.path, line: dataset.rowLines[r] });
        }
        labels[r] = k;
    });
    return labels;
}

/**
 * Checks the metric against the model output's dims (one example's, no batch axis; a symbolic
 * dim is not checked): logit_diff's classes and every label are classes of the output, and the
 * position the metric reads on every row is one of its positions. Throws the first problem as a
 * HypError, located at the dataset row when one row is at fault.
 */
export function checkMetricRows(metric: MetricSpec, dataset: Dataset, labels: Int32Array | null, outputDims: readonly (number | string)[]): void {
    const last = outputDims[outputDims.length - 1];
    const classes = typeof last === 'number' ? last : undefined;
    if (classes !== undefined && metric.kind === 'logit_diff') {
        for (const k of [metric.a, metric.b]) {
            if (k >= classes) {
                throw new HypError(`logit_diff(${metric.a}, ${metric.b}): class ${k} is not one of the model's ${classes} classes (0–${classes - 1})`, 'metric-label');
            }
        }
    }
    if (classes !== undefined && classes < 2 && metric.kind === 'logit_diff_label') {
        throw new HypError(`logit_diff compares x's label with the other classes, and the model output has ${classes} class`, 'metric-label');
    }
    if (classes !== undefined && labels !== null && needsLabel(metric)) {
        for (let r = 0; r < labels.length; r++) {
            if (labels[r] >= classes) {
                throw new HypError(`the label ${labels[r]} is not one of the model's ${classes} classes (0–${classes - 1})`, 'metric-label',
                    { file: dataset.path, line: dataset.rowLines[r] }, 'every label must be a class index of the model output');
            }
        }
    }
    if (outputDims.length < 2) return;
    const axis = outputDims[outputDims.length - 2];
    const positions = typeof axis === 'number' ? axis : undefined;
    const position = metric.position;
    if (position?.kind === 'index' && positions !== undefined && (position.index < -positions || position.index >= positions)) {
        throw new HypError(`position ${position.index} is outside the output's ${positions} positions`, 'metric-position');
    }
    if (position?.kind !== 'field') return;
    dataset.rows.forEach((row, r) => {
        const where = { file: dataset.path, line: dataset.rowLines[r] };
        const p = row[position.field];
        if (typeof p !== 'number' || !Number.isInteger(p)) {
            throw new HypError(`the position field "${position.field}" holds ${JSON.stringify(p)}, not an integer`, 'metric-position', where);
        }
        if (positions !== undefined && (p < -positions || p >= positions)) {
            throw new HypError(`the position ${p} (field "${position.field}") is outside the output's ${positions} positions`, 'metric-position', where,
                `positions run from 0 to ${positions - 1} (or from -${positions} counting from the end)`);
        }
    });
}
