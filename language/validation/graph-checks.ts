// The graph block: the problems found deriving G from the model (unknown tensors with a
// did-you-mean, bad splits, unreachable tensors), ranges in index sets, and unused hook points.
import type { ValidationAcceptor } from 'langium';
import type { GraphProblem } from '../../engine/graph/types.js';
import * as ast from '../generated/ast.js';
import { isRewrite, rangeProblem } from '../lowering/lower-graph.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

const PROBLEM_CODES: Record<GraphProblem['code'], string> = {
    'unknown-tensor': IssueCodes.TensorUnknown,
    'unknown-input': IssueCodes.InputSplitUnknown,
    'duplicate-tensor': IssueCodes.TensorDuplicate,
    'unreachable-tensor': IssueCodes.TensorUnreachable,
    'not-per-example': IssueCodes.TensorNotPerExample,
    'not-finite': IssueCodes.TensorNotFinite,
    'bad-split': IssueCodes.SplitInvalid,
    'rewrite-invalid': IssueCodes.RewriteInvalid,
    'rewrite-not-linear': IssueCodes.RewriteNotLinear,
    'rewrite-not-orthogonal': IssueCodes.RewriteNotOrthogonal,
};

/** Reports each problem of G's derivation on the hook point (or input split) it concerns. */
export function checkGraphProblems(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    checkRewriteDeclarations(analysis, accept);
    if (!analysis.derived) return;
    const members = analysis.file.elements.filter(ast.isGraphDecl).flatMap(g => g.members);
    for (const problem of analysis.derived.problems) {
        const member = problem.hook === 'input'
            ? members.find(ast.isInputSplit)
            : members.find((m): m is ast.HookPoint => ast.isHookPoint(m) && m.name === problem.hook);
        if (!member) continue;
        const code = PROBLEM_CODES[problem.code];
        const property = problem.code === 'bad-split' || problem.code.startsWith('rewrite-') ? 'split' : ast.isHookPoint(member) ? 'tensor' : 'tensor';
        const target = ast.isInputSplit(member) && member.tensor === undefined ? { node: member, keyword: 'input' } : { node: member, property };
        accept(problem.severity, problem.message, {
            ...target, code,
            ...(problem.suggestion !== undefined && { data: { suggestion: problem.suggestion } }),
        } as Parameters<ValidationAcceptor>[2]);
    }
}

/**
 * What a rewrite declaration gets wrong before any model is read: a rewrite of the input (which
 * no local function computes), a subspace file that cannot be read or holds no vectors.
 */
export function checkRewriteDeclarations(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    for (const member of analysis.file.elements.filter(ast.isGraphDecl).flatMap(g => g.members)) {
        if (ast.isInputSplit(member) && member.split !== undefined && isRewrite(member.split)) {
            accept('error', 'the model input is not computed, so it cannot be rewritten: split it by indices or by a predicate, and rewrite a hook point',
                { node: member, property: 'split', code: IssueCodes.RewriteInvalid });
        }
    }
    for (const { part, message } of analysis.vectorProblems) {
        accept('error', message, { node: part, property: 'file', code: IssueCodes.RewriteInvalid });
    }
}

/** Ranges are ascending and end-exclusive; parts may not be called `rest`, the implicit part. */
export function checkIndexPart(part: ast.IndexPart, accept: ValidationAcceptor): void {
    part.items.forEach((item, index) => {
        const problem = rangeProblem(item);
        if (problem) accept('error', problem, { node: part, property: 'items', index, code: IssueCodes.SplitInvalid });
    });
}

export function checkPartName(part: ast.IndexPart | ast.PredicatePart, accept: ValidationAcceptor): void {
    if (part.name === 'rest') {
        accept('error', '`rest` names the elements no part covers; choose another name', { node: part, property: 'name', code: IssueCodes.SplitInvalid });
    }
}

/** A hook point that no hypothesis maps an I node to: every hypothesis claims it unimportant. */
export function checkUnusedHooks(file: ast.HypFile, accept: ValidationAcceptor): void {
    const hypotheses = file.elements.filter(ast.isHypothesis);
    if (hypotheses.length === 0) return;
    const targets = new Set(hypotheses.flatMap(h => h.members.filter(ast.isInterpNode).map(n => n.target).filter(t => t !== undefined)));
    const used = (name: string) => [...targets].some(t => t === name || t.startsWith(`${name}.`));
    for (const hook of file.elements.filter(ast.isGraphDecl).flatMap(g => g.members).filter(ast.isHookPoint)) {
        if (hook.name !== undefined && !used(hook.name)) {
            accept('warning', `no hypothesis maps a node to ${hook.name}: every hypothesis claims it does not matter (remove it if that is not the point)`,
                { node: hook, property: 'name', code: IssueCodes.HookUnused });
        }
    }
}
