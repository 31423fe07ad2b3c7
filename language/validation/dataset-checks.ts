// The dataset block: every ONNX input bound once to an expression of the right type, a label
// field that exists, a vocabulary that can tokenise string inputs.
import type { ValidationAcceptor } from 'langium';
import { closestName } from '../../engine/graph/did-you-mean.js';
import { ANY, describeType, type FeatureType } from '../../engine/features/types.js';
import * as ast from '../generated/ast.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { checkExpression } from './expression-checks.js';
import { IssueCodes } from './issue-codes.js';

/** Input bindings name ONNX inputs, and every ONNX input is bound. */
export function checkInputBindings(decl: ast.DatasetDecl, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const model = analysis.model?.loaded;
    if (!model?.ok) return;
    const inputs = model.value.inputs;
    const bindings = decl.members.filter(ast.isInputBinding);
    for (const b of bindings) {
        if (b.name === undefined || inputs.includes(b.name)) continue;
        const suggestion = closestName(b.name, inputs);
        accept('error', `the model has no input "${b.name}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (inputs: ${inputs.join(', ')})`,
            { node: b, property: 'name', code: IssueCodes.InputUnknown, data: suggestion && { suggestion } });
    }
    const unbound = inputs.filter(i => !bindings.some(b => b.name === i));
    if (unbound.length > 0) {
        accept('error', `model input${unbound.length > 1 ? 's' : ''} ${unbound.map(i => `"${i}"`).join(', ')} not bound: add \`input ${unbound[0]} = <field>\``,
            { node: decl, keyword: 'dataset', code: IssueCodes.InputUnbound, data: { inputs: unbound } });
    }
}

/** An input is a number, a (nested) list of numbers or booleans, or a string tokenised with the vocabulary. */
export function checkInputBindingType(b: ast.InputBinding, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const type = checkExpression(b.value, analysis, name => analysis.fieldTypes?.get(name) ?? (analysis.fieldTypes ? undefined : ANY), accept,
        name => `"${name}" is not a field of the dataset${suggestField(name, analysis)}`);
    if (type.kind === 'any') return;
    if (type.kind === 'string') {
        const dataset = b.$container;
        if (!dataset.members.some(ast.isVocabularyDecl)) {
            accept('error', `input "${b.name}" is a string: declare a \`vocabulary { "a": 0, … }\` to tokenise it`,
                { node: b, property: 'value', code: IssueCodes.InputType });
        }
        return;
    }
    if (!isNumericTensor(type)) {
        accept('error', `input "${b.name}" must be a number, a list of numbers or a string, not ${describeType(type)}`,
            { node: b, property: 'value', code: IssueCodes.InputType });
    }
}

function isNumericTensor(t: FeatureType): boolean {
    if (t.kind === 'number' || t.kind === 'boolean' || t.kind === 'any') return true;
    return t.kind === 'list' && isNumericTensor(t.element);
}

/** `label y` names a dataset field holding class indices. */
export function checkLabel(label: ast.LabelDecl, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const types = analysis.fieldTypes;
    // `label` alone while typing: the syntax error says what is missing.
    if (!types || label.field === undefined) return;
    const t = types.get(label.field);
    if (t === undefined) {
        accept('error', `the dataset has no field "${label.field}"${suggestField(label.field, analysis)}`,
            { node: label, property: 'field', code: IssueCodes.LabelUnknown });
    } else if (!(t.kind === 'boolean' || (t.kind === 'number' && t.integer))) {
        accept('error', `the label "${label.field}" must hold class indices (int or boolean), not ${describeType(t)}`,
            { node: label, property: 'field', code: IssueCodes.LabelUnknown });
    }
}

/** Vocabulary tokens are single characters with distinct ids, and bos/pad are tokens of it. */
export function checkVocabulary(v: ast.VocabularyDecl, accept: ValidationAcceptor): void {
    const seen = new Map<string, ast.VocabularyEntry>();
    for (const e of v.entries) {
        if (seen.has(e.token)) {
            accept('error', `token ${JSON.stringify(e.token)} is listed twice`, { node: e, property: 'token', code: IssueCodes.VocabularyInvalid });
        }
        seen.set(e.token, e);
        if ([...e.token].length !== 1 && e.token !== v.bos && e.token !== v.pad) {
            accept('error', `strings are tokenised per character: token ${JSON.stringify(e.token)} must be one character (or be the bos/pad token)`,
                { node: e, property: 'token', code: IssueCodes.VocabularyInvalid });
        }
        if (e.id < 0) accept('error', 'token ids are non-negative', { node: e, property: 'id', code: IssueCodes.VocabularyInvalid });
    }
    for (const property of ['bos', 'pad'] as const) {
        const token = v[property];
        if (token !== undefined && !seen.has(token)) {
            accept('error', `the ${property} token ${JSON.stringify(token)} is not in the vocabulary`, { node: v, property, code: IssueCodes.VocabularyInvalid });
        }
    }
}

/** The metric's needs: a label for cross_entropy and accuracy. */
export function checkLabelPresent(file: ast.HypFile, accept: ValidationAcceptor): void {
    const metric = file.elements.find(ast.isMetricDecl);
    const dataset = file.elements.find(ast.isDatasetDecl);
    if (!metric || !dataset || !(['cross_entropy', 'accuracy'].includes(metric.kind) || (metric.kind === 'logit_diff' && metric.args.length === 0))) return;
    if (!dataset.members.some(ast.isLabelDecl)) {
        accept('error', `the metric ${metric.kind} compares with a label: add \`label <field>\` to the dataset block`,
            { node: metric, property: 'kind', code: IssueCodes.LabelMissing });
    }
}

function suggestField(name: string, analysis: DocumentAnalysis): string {
    const s = analysis.fieldTypes && closestName(name, analysis.fieldTypes.keys());
    return s ? `; did you mean "${s}"?` : '';
}
