// AST expressions → engine Expr. The origin map lets the type checker's issues, which speak of
// Expr nodes, be located on the AST nodes they came from.
import type { AstNode } from 'langium';
import type { BinaryOp, Expr } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';

/** Where each lowered Expr came from in the document. */
export type ExprOrigins = Map<Expr, AstNode>;

/**
 * Thrown for an expression the parser could not finish (`z[0] >` while typing): error recovery
 * leaves its missing operands undefined. The parse error is the diagnostic; nothing else is said.
 */
export class IncompleteExpression extends Error {}

/** Lowers an expression; records each Expr's AST node in `origins` when given. Throws IncompleteExpression on a partial parse. */
export function lowerExpression(e: ast.Expression, origins?: ExprOrigins): Expr {
    const out = lower(e, origins);
    origins?.set(out, e);
    return out;
}

/** Lowers an expression, or gives undefined when the parser could not finish it (a syntax error is reported for it). */
export function lowerIfComplete(e: ast.Expression | undefined, origins?: ExprOrigins): Expr | undefined {
    if (e === undefined) return undefined;
    try {
        return lowerExpression(e, origins);
    } catch (error) {
        if (error instanceof IncompleteExpression) return undefined;
        throw error;
    }
}

function lower(e: ast.Expression | undefined, origins: ExprOrigins | undefined): Expr {
    const sub = (x: ast.Expression) => lowerExpression(x, origins);
    // Error recovery leaves required properties undefined although the AST types say otherwise.
    if (e === undefined || e.$type === undefined) throw new IncompleteExpression();
    switch (e.$type) {
        case ast.NumberLiteral.$type: return { kind: 'number', value: defined(e.value) };
        case ast.StringLiteral.$type: return { kind: 'string', value: defined(e.value) };
        case ast.BooleanLiteral.$type: return { kind: 'boolean', value: e.value };
        case ast.ListExpr.$type: return { kind: 'list', items: e.items.map(sub) };
        case ast.NameRef.$type: return { kind: 'ref', name: defined(e.name) };
        case ast.InputRef.$type: return { kind: 'ref', name: inputRefName(e.part) };
        case ast.UnaryExpr.$type: return { kind: 'unary', op: defined(e.op), arg: sub(e.arg) };
        case ast.BinaryExpr.$type: return { kind: 'binary', op: defined(e.op) as BinaryOp, left: sub(e.left), right: sub(e.right) };
        case ast.ConditionalExpr.$type: return { kind: 'conditional', test: sub(e.condition), then: sub(e.whenTrue), else: sub(e.whenFalse) };
        case ast.Subscript.$type: {
            const target = sub(e.target);
            if (!e.slice) return { kind: 'index', target, index: e.start ? sub(e.start) : { kind: 'number', value: 0 } };
            return { kind: 'slice', target, ...(e.start && { start: sub(e.start) }), ...(e.end && { end: sub(e.end) }) };
        }
        case ast.CallExpr.$type: return { kind: 'call', callee: defined(e.callee), args: e.args.map(sub) };
        case ast.Lambda.$type: return { kind: 'lambda', params: e.params.map(p => defined(p.name)), body: sub(e.body) };
    }
    throw new IncompleteExpression();
}

/** `input` or `input.<part>`: the name under which an input part is an I-parent and a value in features. */
export function inputRefName(part: string | undefined): string {
    return part === undefined ? 'input' : `input.${part}`;
}

function defined<T>(value: T | undefined): T {
    if (value === undefined) throw new IncompleteExpression();
    return value;
}
