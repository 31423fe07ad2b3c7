// The metric and the run options (`samples`, `seed`, `unimportant`, `ablation`).
import type { ValidationAcceptor } from 'langium';
import { closestName } from '../../engine/graph/did-you-mean.js';
import * as ast from '../generated/ast.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

/** The argument counts each metric accepts: `logit_diff` alone scores x's label, `logit_diff(a, b)` two fixed classes. */
const METRIC_ARITY: Record<string, readonly number[]> = { cross_entropy: [0], accuracy: [0], logit_diff: [0, 2], kl: [0] };
export const UNIMPORTANT_MODES = ['shared', 'separate'];
export const ABLATION_MODES = ['resample', 'mean', 'zero'];

/** A file scrubs against one metric. */
export function checkMetricPresent(file: ast.HypFile, accept: ValidationAcceptor): void {
    if (file.elements.some(ast.isHypothesis) && !file.elements.some(ast.isMetricDecl)) {
        accept('error', 'declare the behaviour to scrub: `metric cross_entropy` (or accuracy, logit_diff, kl)',
            { node: file.elements.find(ast.isHypothesis)!, keyword: 'hypothesis', code: IssueCodes.MetricMissing });
    }
}

/** A known metric with the right arguments, and a position field that exists. */
export function checkMetric(metric: ast.MetricDecl, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    // `metric` alone while typing: the syntax error says what is missing.
    if (metric.kind === undefined) return;
    const arity = METRIC_ARITY[metric.kind];
    if (arity === undefined) {
        const s = closestName(metric.kind, Object.keys(METRIC_ARITY));
        accept('error', `unknown metric "${metric.kind}"${s ? `; did you mean "${s}"?` : ''} (metrics: ${Object.keys(METRIC_ARITY).join(', ')})`,
            { node: metric, property: 'kind', code: IssueCodes.MetricUnknown });
        return;
    }
    if (!arity.includes(metric.args.length)) {
        accept('error', metric.kind === 'logit_diff' ? 'logit_diff takes no arguments (x\'s label against the other classes) or two class indices: logit_diff(a, b)'
            : `${metric.kind} takes no arguments`, { node: metric, property: 'kind', code: IssueCodes.MetricArguments });
    } else if (metric.kind === 'logit_diff' && metric.args.length === 2) {
        // A behaviour that reads no label has, on a random other input, the clean model's own
        // expectation: E_random ≈ E_clean, so loss recovered divides by noise around zero.
        accept('warning', `logit_diff(a, b) reads no label: the random baseline has the clean model's expectation, so loss recovered divides by noise around 0. `
            + 'Use `metric logit_diff` (x\'s label against the largest other logit) or a loss, or read only the three expectations',
            { node: metric, property: 'kind', code: IssueCodes.MetricLabelFree });
    }
    metric.args.forEach((a, index) => {
        if (!Number.isInteger(a) || a < 0) accept('error', 'a class index is a non-negative integer', { node: metric, property: 'args', index, code: IssueCodes.MetricArguments });
    });
    if (metric.field !== undefined && analysis.fieldTypes) {
        const t = analysis.fieldTypes.get(metric.field);
        if (t === undefined) {
            accept('error', `the dataset has no field "${metric.field}" to read the position from`, { node: metric, property: 'field', code: IssueCodes.MetricPosition });
        } else if (!(t.kind === 'number' && t.integer)) {
            accept('error', `the position field "${metric.field}" must hold integers`, { node: metric, property: 'field', code: IssueCodes.MetricPosition });
        }
    }
}

/** Option values: positive sample counts, integer seeds, known modes. */
export function checkRunOption(option: ast.RunOption, accept: ValidationAcceptor): void {
    const bad = (message: string, property: 'value' | 'mode') => accept('error', message, { node: option, property, code: IssueCodes.OptionInvalid });
    if (ast.isSamplesOption(option) && !(Number.isInteger(option.value) && option.value >= 2)) bad('samples is an integer ≥ 2 (the CI needs two roots)', 'value');
    if (ast.isSeedOption(option) && !(Number.isInteger(option.value) && option.value >= 0 && option.value <= 0xffffffff)) bad('seed is an integer from 0 to 2^32-1', 'value');
    if (ast.isUnimportantOption(option) && !UNIMPORTANT_MODES.includes(option.mode)) bad(`unimportant is ${UNIMPORTANT_MODES.join(' or ')}`, 'mode');
    if (ast.isAblationOption(option) && !ABLATION_MODES.includes(option.mode)) bad(`ablation is ${ABLATION_MODES.join(', ')}`, 'mode');
}

/** An option set twice in the same scope: the later one wins, which is rarely meant. */
export function checkDuplicateOptions(members: readonly (ast.Element | ast.HypothesisMember)[], accept: ValidationAcceptor): void {
    const seen = new Set<string>();
    for (const m of members) {
        if (!ast.isRunOption(m)) continue;
        if (seen.has(m.$type)) {
            accept('warning', 'this option is already set here; the last one wins', { node: m, code: IssueCodes.OptionDuplicate });
        }
        seen.add(m.$type);
    }
}
