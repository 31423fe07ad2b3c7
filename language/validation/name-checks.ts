// Names that must be unique where they are declared: hypotheses, hook points, parts of a split,
// I nodes of a hypothesis, input bindings, lambda parameters, index variables.
import type { AstNode, ValidationAcceptor } from 'langium';
import { namedParts } from '../lowering/lower-graph.js';
import * as ast from '../generated/ast.js';
import { IssueCodes } from './issue-codes.js';

/** Reports every declaration after the first of the same name. */
export function checkUniqueNames(nodes: readonly (AstNode & { name: string })[], what: string, accept: ValidationAcceptor): void {
    const seen = new Set<string>();
    for (const n of nodes) {
        if (seen.has(n.name)) {
            accept('error', `${what} "${n.name}" is declared more than once`, { node: n, property: 'name', code: IssueCodes.DuplicateName } as Parameters<ValidationAcceptor>[2]);
        }
        seen.add(n.name);
    }
}

/** File-level names: hypotheses, hook points, input bindings. */
export function checkFileNames(file: ast.HypFile, accept: ValidationAcceptor): void {
    checkUniqueNames(file.elements.filter(ast.isHypothesis), 'hypothesis', accept);
    const graphMembers = file.elements.filter(ast.isGraphDecl).flatMap(g => g.members);
    checkUniqueNames(graphMembers.filter(ast.isHookPoint), 'hook point', accept);
    const inputSplits = graphMembers.filter(ast.isInputSplit);
    for (const extra of inputSplits.slice(1)) {
        accept('error', 'the input is split more than once; keep one split', { node: extra, code: IssueCodes.DuplicateName });
    }
    for (const dataset of file.elements.filter(ast.isDatasetDecl)) {
        checkUniqueNames(dataset.members.filter(ast.isInputBinding), 'input', accept);
        for (const kind of [ast.isLabelDecl, ast.isVocabularyDecl]) {
            for (const extra of dataset.members.filter(kind).slice(1)) {
                accept('error', 'declared more than once in this dataset block', { node: extra, code: IssueCodes.DeclarationDuplicate });
            }
        }
    }
}

/** Parts of one split. */
export function checkSplitNames(split: ast.Split, accept: ValidationAcceptor): void {
    checkUniqueNames(namedParts(split), 'part', accept);
    if (ast.isSubspaceSplit(split)) {
        for (const p of split.parts.filter(p => p.name === 'rest')) {
            accept('error', '`rest` names the orthogonal complement of the parts; choose another name', { node: p, property: 'name', code: IssueCodes.RewriteInvalid });
        }
    }
    if (ast.isPredicateSplit(split)) {
        checkUniqueNames(split.vars, 'index variable', accept);
        if (split.vars.length !== split.axes.length) {
            accept('error', `${split.vars.length} index variables for ${split.axes.length} axes: give one variable per axis`,
                { node: split, property: 'axes', code: IssueCodes.SplitInvalid });
        }
    }
}

/** I nodes declared twice in the same hypothesis (overriding a base's node is fine). */
export function checkHypothesisNames(h: ast.Hypothesis, accept: ValidationAcceptor): void {
    checkUniqueNames(h.members.filter(ast.isInterpNode), 'I node', accept);
}

export function checkLambdaNames(l: ast.Lambda, accept: ValidationAcceptor): void {
    checkUniqueNames(l.params, 'parameter', accept);
}
