// A feature as the user would write it, from the lowered expression: parentheses only where the
// language's precedence needs them, so `(a + b) * c` stays distinguishable from `a + b * c` on the
// drawing (the lowered tree has no parentheses of its own).
import type { Expr } from '../engine/spec.js';

/** Binding strength, loosest first: conditional, or, and, not, comparison, sum, product, unary minus, postfix. */
const PRECEDENCE: Record<string, number> = {
    lambda: 0, conditional: 1, or: 2, and: 3, not: 4,
    '==': 5, '!=': 5, '<': 5, '<=': 5, '>': 5, '>=': 5,
    '+': 6, '-': 6, '*': 7, '/': 7, '%': 7, neg: 8, postfix: 9, atom: 10,
};

function precedence(e: Expr): number {
    switch (e.kind) {
        case 'lambda': return PRECEDENCE.lambda;
        case 'conditional': return PRECEDENCE.conditional;
        case 'binary': return PRECEDENCE[e.op];
        case 'unary': return e.op === 'not' ? PRECEDENCE.not : PRECEDENCE.neg;
        case 'index': case 'slice': case 'call': return PRECEDENCE.postfix;
        default: return PRECEDENCE.atom;
    }
}

/** The expression as `.hyp` source text. */
export function featureText(e: Expr): string {
    // `min` is the weakest binding the context accepts without parentheses.
    const at = (x: Expr, min: number): string => (precedence(x) < min ? `(${text(x)})` : text(x));
    const text = (x: Expr): string => {
        switch (x.kind) {
            case 'number': return String(x.value);
            case 'string': return JSON.stringify(x.value);
            case 'boolean': return String(x.value);
            case 'ref': return x.name;
            case 'list': return `[${x.items.map(i => at(i, PRECEDENCE.conditional)).join(', ')}]`;
            case 'unary': return x.op === 'not' ? `not ${at(x.arg, PRECEDENCE.not)}` : `-${at(x.arg, PRECEDENCE.neg)}`;
            case 'binary': {
                const p = PRECEDENCE[x.op];
                // Comparisons do not chain; the other binary operators associate to the left.
                const leftMin = p === PRECEDENCE['=='] ? p + 1 : p;
                return `${at(x.left, leftMin)} ${x.op} ${at(x.right, p + 1)}`;
            }
            case 'conditional':
                return `${at(x.then, PRECEDENCE.or)} if ${at(x.test, PRECEDENCE.or)} else ${at(x.else, PRECEDENCE.conditional)}`;
            case 'index': return `${at(x.target, PRECEDENCE.postfix)}[${text(x.index)}]`;
            case 'slice': return `${at(x.target, PRECEDENCE.postfix)}[${x.start ? text(x.start) : ''}:${x.end ? text(x.end) : ''}]`;
            case 'call': return `${x.callee}(${x.args.map(a => at(a, PRECEDENCE.lambda)).join(', ')})`;
            case 'lambda': return `${x.params.length === 1 ? x.params[0] : `(${x.params.join(', ')})`} => ${text(x.body)}`;
        }
    };
    return text(e);
}
