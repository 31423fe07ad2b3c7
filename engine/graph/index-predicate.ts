// Index predicates of split parts (`src == dst - 1`): a small arithmetic-and-logic subset of the
// feature expression language over integer index variables. Types are checked when compiling, so
// a bad predicate is a problem at check time, never an exception inside a mask loop; the closure
// it compiles to runs once per element.
import type { Expr } from '../spec.js';

type Type = 'number' | 'boolean';
type Fn = (env: readonly number[]) => number | boolean;
interface Compiled { type: Type; f: Fn }

/** A predicate over index variables (bound positionally to `vars`), or why it cannot be one. */
export type IndexPredicate = { test: (indices: readonly number[]) => boolean } | { error: string };

/** Compiles a predicate over named index variables; an error message for what it cannot evaluate. */
export function compileIndexPredicate(predicate: Expr, vars: readonly string[]): IndexPredicate {
    try {
        const c = compile(predicate, vars);
        if (c.type !== 'boolean') return { error: 'the predicate gives a number, not a boolean' };
        return { test: indices => c.f(indices) as boolean };
    } catch (e) {
        return { error: (e as Error).message };
    }
}

function compile(e: Expr, vars: readonly string[]): Compiled {
    switch (e.kind) {
        case 'number':
        case 'boolean': {
            const v = e.value;
            return { type: e.kind, f: () => v };
        }
        case 'ref': {
            const i = vars.indexOf(e.name);
            if (i < 0) throw new Error(`"${e.name}" is not an index variable of this part (${vars.join(', ') || 'none'})`);
            return { type: 'number', f: env => env[i] };
        }
        case 'unary': {
            const a = compile(e.arg, vars);
            if (e.op === '-') {
                expect(a, 'number', '-');
                return { type: 'number', f: env => -(a.f(env) as number) };
            }
            expect(a, 'boolean', 'not');
            return { type: 'boolean', f: env => !a.f(env) };
        }
        case 'conditional': {
            const t = compile(e.test, vars), a = compile(e.then, vars), b = compile(e.else, vars);
            expect(t, 'boolean', 'a condition');
            if (a.type !== b.type) throw new Error('both branches of a conditional must have the same type');
            return { type: a.type, f: env => t.f(env) ? a.f(env) : b.f(env) };
        }
        case 'binary':
            return binary(e.op, compile(e.left, vars), compile(e.right, vars));
        case 'call': {
            const args = e.args.map(a => compile(a, vars));
            args.forEach(a => expect(a, 'number', e.callee));
            if (e.callee === 'abs' && args.length === 1) return { type: 'number', f: env => Math.abs(args[0].f(env) as number) };
            if ((e.callee === 'min' || e.callee === 'max') && args.length === 2) {
                const g = e.callee === 'min' ? Math.min : Math.max;
                return { type: 'number', f: env => g(args[0].f(env) as number, args[1].f(env) as number) };
            }
            throw new Error(`an index predicate can call abs(x), min(a, b) and max(a, b), not ${e.callee} with ${args.length} arguments`);
        }
        default:
            throw new Error(`an index predicate uses numbers, index variables, arithmetic, comparisons and and/or/not, not a ${e.kind}`);
    }
}

function binary(op: string, l: Compiled, r: Compiled): Compiled {
    const n = (g: (a: number, b: number) => number | boolean, type: Type): Compiled => {
        expect(l, 'number', op);
        expect(r, 'number', op);
        return { type, f: env => g(l.f(env) as number, r.f(env) as number) };
    };
    switch (op) {
        case '+': return n((a, b) => a + b, 'number');
        case '-': return n((a, b) => a - b, 'number');
        case '*': return n((a, b) => a * b, 'number');
        case '/': return n((a, b) => a / b, 'number');
        // Python-style modulo, as in the feature language: `(dst - 1) % n` stays in 0..n-1.
        case '%': return n((a, b) => ((a % b) + b) % b, 'number');
        case '<': return n((a, b) => a < b, 'boolean');
        case '<=': return n((a, b) => a <= b, 'boolean');
        case '>': return n((a, b) => a > b, 'boolean');
        case '>=': return n((a, b) => a >= b, 'boolean');
        case '==':
        case '!=':
            if (l.type !== r.type) throw new Error(`${op} compares a ${l.type} with a ${r.type}`);
            return { type: 'boolean', f: op === '==' ? env => l.f(env) === r.f(env) : env => l.f(env) !== r.f(env) };
        case 'and':
        case 'or':
            expect(l, 'boolean', op);
            expect(r, 'boolean', op);
            return { type: 'boolean', f: op === 'and' ? env => !!l.f(env) && !!r.f(env) : env => !!l.f(env) || !!r.f(env) };
        default:
            throw new Error(`an index predicate cannot use the operator ${op}`);
    }
}

function expect(c: Compiled, type: Type, what: string): void {
    if (c.type !== type) throw new Error(`${what} needs a ${type}, got a ${c.type}`);
}
