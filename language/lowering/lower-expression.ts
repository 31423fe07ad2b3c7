// AST expressions → engine Expr. The origin map lets the type checker's issues, which speak of
// Expr nodes, be located on the AST nodes they came from.
import type { AstNode } from 'langium';
import type { BinaryOp, Expr } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';

/** Where each lowered Expr came from in the document. */
export type ExprOrigins = Map<Expr, AstNode>;

/** Lowers an expression; records each Expr's AST node in `origins` when given. */
export function lowerExpression(e: ast.Expression, origins?: ExprOrigins): Expr {
    const out = lower(e, origins);
    origins?.set(out, e);
    return out;
}

function lower(e: ast.Expression, origins: ExprOrigins | undefined): Expr {
    const sub = (x: ast.Expression) => lowerExpression(x, origins);
    switch (e.$type) {
        case ast.NumberLiteral.$type: return { kind: 'number', value: e.value };
        case ast.StringLiteral.$type: return { kind: 'string', value: e.value };
        case ast.BooleanLiteral.$type: return { kind: 'boolean', value: e.value };
        case ast.ListExpr.$type: return { kind: 'list', items: e.items.map(sub) };
        case ast.NameRef.$type: return { kind: 'ref', name: e.name };
        case ast.InputRef.$type: return { kind: 'ref', name: inputRefName(e.part) };
        case ast.UnaryExpr.$type: return { kind: 'unary', op: e.op, arg: sub(e.arg) };
        case ast.BinaryExpr.$type: return { kind: 'binary', op: e.op as BinaryOp, left: sub(e.left), right: sub(e.right) };
        case ast.ConditionalExpr.$type: return { kind: 'conditional', test: sub(e.condition), then: sub(e.whenTrue), else: sub(e.whenFalse) };
        case ast.Subscript.$type: {
            const target = sub(e.target);
            if (!e.slice) return { kind: 'index', target, index: e.start ? sub(e.start) : { kind: 'number', value: 0 } };
            return { kind: 'slice', target, ...(e.start && { start: sub(e.start) }), ...(e.end && { end: sub(e.end) }) };
        }
        case ast.CallExpr.$type: return { kind: 'call', callee: e.callee, args: e.args.map(sub) };
        case ast.Lambda.$type: return { kind: 'lambda', params: e.params.map(p => p.name), body: sub(e.body) };
    }
}

/** `input` or `input.<part>`: the name under which an input part is an I-parent and a value in features. */
export function inputRefName(part: string | undefined): string {
    return part === undefined ? 'input' : `input.${part}`;
}
