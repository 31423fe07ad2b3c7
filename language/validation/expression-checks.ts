// Type checking an expression of the document with the engine's checker, and reporting its issues
// on the AST nodes they concern.
import type { ValidationAcceptor } from 'langium';
import { BUILTINS } from '../../engine/features/builtins.js';
import { checkExprType } from '../../engine/features/typecheck.js';
import { ANY, type FeatureType } from '../../engine/features/types.js';
import { closestName } from '../../engine/graph/did-you-mean.js';
import type * as ast from '../generated/ast.js';
import { lowerIfComplete, type ExprOrigins } from '../lowering/lower-expression.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

const CODES = {
    'unknown-name': IssueCodes.FeatureUnknownName,
    'unknown-function': IssueCodes.FeatureUnknownFunction,
    arity: IssueCodes.FeatureArity,
    type: IssueCodes.FeatureType,
} as const;

/**
 * Checks an expression whose free names have the types `lookup` gives (undefined: unknown name,
 * reported with `unknownName`); returns its type (`any` where unknown).
 */
export function checkExpression(expr: ast.Expression, analysis: DocumentAnalysis, lookup: (name: string) => FeatureType | undefined,
    accept: ValidationAcceptor, unknownName: (name: string) => string): FeatureType {
    const origins: ExprOrigins = new Map();
    const lowered = lowerIfComplete(expr, origins);
    // A partial parse: its syntax error is the diagnostic.
    if (lowered === undefined) return ANY;
    return checkExprType(lowered, { lookup, hasFunction: name => analysis.functionNames.has(name) }, issue => {
        const node = origins.get(issue.expr) ?? expr;
        let message = issue.message;
        if (issue.expr.kind === 'ref' && issue.code === 'unknown-name') message = unknownName(issue.expr.name);
        if (issue.expr.kind === 'call' && issue.code === 'unknown-function') {
            const suggestion = closestName(issue.expr.callee, [...BUILTINS.keys(), ...analysis.functionNames]);
            message += suggestion ? `; did you mean "${suggestion}"?` : analysis.features ? '' : ' (declare `features "file.mjs"` for your own functions)';
        }
        accept('error', message, { node, code: CODES[issue.code] });
    });
}
