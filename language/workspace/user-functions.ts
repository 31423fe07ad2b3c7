// Features-module functions are not run by the language server (it runs no user code): an
// expression that calls one is left to the scrub, which loads the module.
import { BUILTINS } from '../../engine/features/builtins.js';
import type { Expr } from '../../engine/spec.js';

const BUILTIN_NAMES = new Set(BUILTINS.keys());

/** Whether the expression calls a function that is not a builtin. */
export function callsUserFunction(e: Expr): boolean {
    const walk = (x: Expr): boolean => {
        switch (x.kind) {
            case 'call': return !BUILTIN_NAMES.has(x.callee) || x.args.some(walk);
            case 'list': return x.items.some(walk);
            case 'unary': return walk(x.arg);
            case 'binary': return walk(x.left) || walk(x.right);
            case 'conditional': return walk(x.test) || walk(x.then) || walk(x.else);
            case 'index': return walk(x.target) || walk(x.index);
            case 'slice': return walk(x.target) || (x.start !== undefined && walk(x.start)) || (x.end !== undefined && walk(x.end));
            case 'lambda': return walk(x.body);
            default: return false;
        }
    };
    return walk(e);
}

/** The names an expression reads (free or not: a lambda parameter that shadows a name counts as reading it). */
export function namesRead(e: Expr): Set<string> {
    const names = new Set<string>();
    const walk = (x: Expr): void => {
        switch (x.kind) {
            case 'ref': names.add(x.name); return;
            case 'call': x.args.forEach(walk); return;
            case 'list': x.items.forEach(walk); return;
            case 'unary': walk(x.arg); return;
            case 'binary': walk(x.left); walk(x.right); return;
            case 'conditional': walk(x.test); walk(x.then); walk(x.else); return;
            case 'index': walk(x.target); walk(x.index); return;
            case 'slice': walk(x.target); if (x.start) walk(x.start); if (x.end) walk(x.end); return;
            case 'lambda': walk(x.body); return;
            default: return;
        }
    };
    walk(e);
    return names;
}
