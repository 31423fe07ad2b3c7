// The graph block: the problems found deriving G from the model (unknown tensors with a
// did-you-mean, bad splits, unreachable tensors), ranges in index sets, and unused hook points.
import type { ValidationAcceptor } from 'langium';
import type { GraphProblem } from '../../engine/graph/types.js';
import * as ast from '../generated/ast.js';
import { rangeProblem } from '../lowering/lower-graph.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

const PROBLEM_CODES: Record<GraphProblem['code'], string> = {
    'unknown-tensor': IssueCodes.TensorUnknown,
    'unknown-input': IssueCodes.InputSplitUnknown,
    'duplicate-tensor': IssueCodes.TensorDuplicate,
    'unreachable-tensor': IssueCodes.TensorUnreachable,
    'not-per-example': IssueCodes.TensorNotPerExample,
    'bad-split': IssueCodes.SplitInvalid,
    'rewrite-invalid': IssueCodes.RewriteInvalid,
    'rewrite-not-linear': IssueCodes.RewriteNotLinear,
    'rewrite-not-orthogonal': IssueCodes.RewriteNotOrthogonal,
};

/** Reports each problem of G's derivation on the hook point (or input split) it concerns. */
export function checkGraphProblems(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
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
