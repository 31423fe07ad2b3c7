// Static type checking of feature expressions against the types of dataset fields, I-parent
// features and the builtin table. Errors are reported once, where they arise: a subexpression with
// an error has type `any`, which is accepted everywhere, so one mistake does not cascade.
import type { Expr } from '../spec.js';
import { BUILTINS, type ArgType } from './builtins.js';
import { ANY, BOOLEAN, INT, NUMBER, STRING, describeType, elementType, isAssignable, joinTypes, listOf, type FeatureType } from './types.js';

export interface TypeEnv {
    /** The type of a free name (dataset field, I-parent feature, input part); undefined when unbound. */
    lookup(name: string): FeatureType | undefined;
    /** Whether the features module exports a function of that name (its results have type `any`). */
    hasFunction?(name: string): boolean;
}

export type TypeIssueCode = 'unknown-name' | 'unknown-function' | 'arity' | 'type';

export interface TypeIssue {
    /** The subexpression the issue is about. */
    expr: Expr;
    code: TypeIssueCode;
    message: string;
}

/** Infers the type of an expression, reporting every issue found; the result is `any` where unknown. */
export function checkExprType(expr: Expr, env: TypeEnv, report: (issue: TypeIssue) => void): FeatureType {
    return new Checker(env, report).type(expr, new Map());
}

type Scope = ReadonlyMap<string, FeatureType>;

class Checker {
    constructor(private readonly env: TypeEnv, private readonly report: (issue: TypeIssue) => void) {}

    private error(expr: Expr, message: string, code: TypeIssueCode = 'type'): FeatureType {
        this.report({ expr, code, message });
        return ANY;
    }

    type(e: Expr, scope: Scope): FeatureType {
        switch (e.kind) {
            case 'number': return { kind: 'number', integer: Number.isInteger(e.value) };
            case 'string': return STRING;
            case 'boolean': return BOOLEAN;
            case 'list': {
                let element: FeatureType = ANY;
                for (const item of e.items) {
                    const t = this.type(item, scope);
                    const joined = joinTypes(element, t);
                    if (joined === undefined) return this.error(item, `list elements must have one type: ${describeType(t)} after ${describeType(element)}`);
                    element = joined;
                }
                return listOf(element);
            }
            case 'ref': {
                const t = scope.get(e.name) ?? this.env.lookup(e.name);
                return t ?? this.error(e, `unknown name "${e.name}"`, 'unknown-name');
            }
            case 'unary': {
                const t = this.type(e.arg, scope);
                if (e.op === 'not') return this.expect(e.arg, t, BOOLEAN, '`not`') ? BOOLEAN : ANY;
                return this.expect(e.arg, t, NUMBER, 'unary `-`') ? t : ANY;
            }
            case 'binary': return this.binary(e, scope);
            case 'conditional': {
                this.expect(e.test, this.type(e.test, scope), BOOLEAN, 'the condition of `if`');
                const a = this.type(e.then, scope), b = this.type(e.else, scope);
                return joinTypes(a, b) ?? this.error(e.else, `both branches must have one type: ${describeType(a)} and ${describeType(b)}`);
            }
            case 'index': {
                const t = this.type(e.target, scope);
                const i = this.type(e.index, scope);
                this.expect(e.index, i, INT, 'an index');
                const el = elementType(t);
                return el ?? this.error(e.target, `cannot index ${describeType(t)}; only lists and strings can be indexed`);
            }
            case 'slice': {
                const t = this.type(e.target, scope);
                for (const b of [e.start, e.end]) if (b) this.expect(b, this.type(b, scope), INT, 'a slice bound');
                if (elementType(t) === undefined) return this.error(e.target, `cannot slice ${describeType(t)}; only lists and strings can be sliced`);
                return t;
            }
            case 'call': return this.call(e, scope);
            case 'lambda': return this.error(e, 'a function (x => …) can only be passed to a builtin such as map or filter');
        }
    }

    /** Reports when `actual` does not fit `expected`; returns whether it fits. */
    private expect(at: Expr, actual: FeatureType, expected: FeatureType, what: string): boolean {
        if (isAssignable(actual, expected)) return true;
        this.error(at, `${what} needs ${expected.kind === 'number' && expected.integer ? 'an int' : describeType(expected)}, got ${describeType(actual)}`);
        return false;
    }

    private binary(e: Extract<Expr, { kind: 'binary' }>, scope: Scope): FeatureType {
        const l = this.type(e.left, scope), r = this.type(e.right, scope);
        switch (e.op) {
            case 'and': case 'or': {
                const ok = this.expect(e.left, l, BOOLEAN, `\`${e.op}\``) && this.expect(e.right, r, BOOLEAN, `\`${e.op}\``);
                return ok ? BOOLEAN : ANY;
            }
            case '==': case '!=':
                if (joinTypes(l, r) === undefined) return this.error(e, `comparing ${describeType(l)} with ${describeType(r)} is always ${e.op === '!=' ? 'true' : 'false'}`);
                return BOOLEAN;
            case '<': case '<=': case '>': case '>=': {
                const ok = (isAssignable(l, NUMBER) && isAssignable(r, NUMBER)) || (isAssignable(l, STRING) && isAssignable(r, STRING));
                return ok ? BOOLEAN : this.error(e, `\`${e.op}\` compares two numbers or two strings, not ${describeType(l)} and ${describeType(r)}`);
            }
            case '+': {
                if (l.kind === 'any' || r.kind === 'any') return l.kind === 'any' ? r : l;
                const joined = joinTypes(l, r);
                if (joined && (joined.kind === 'number' || joined.kind === 'string' || joined.kind === 'list')) return joined;
                return this.error(e, `\`+\` adds two numbers, joins two strings or two lists; not ${describeType(l)} and ${describeType(r)}`);
            }
            default: {
                const ok = this.expect(e.left, l, NUMBER, `\`${e.op}\``) && this.expect(e.right, r, NUMBER, `\`${e.op}\``);
                if (!ok) return ANY;
                if (e.op === '/') return NUMBER;
                return l.kind === 'number' && r.kind === 'number' && l.integer && r.integer ? INT : l.kind === 'any' || r.kind === 'any' ? ANY : NUMBER;
            }
        }
    }

    private call(e: Extract<Expr, { kind: 'call' }>, scope: Scope): FeatureType {
        const builtin = BUILTINS.get(e.callee);
        if (!builtin) {
            if (!this.env.hasFunction?.(e.callee)) return this.error(e, `unknown function "${e.callee}"`, 'unknown-function');
            for (const a of e.args) {
                if (a.kind === 'lambda') this.error(a, `a function (x => …) cannot be passed to the features-module function ${e.callee}`);
                else this.type(a, scope);
            }
            return ANY;
        }
        if (e.args.length < builtin.minArgs || e.args.length > builtin.maxArgs) {
            const n = builtin.minArgs === builtin.maxArgs ? `${builtin.minArgs}` : builtin.maxArgs === Infinity ? `at least ${builtin.minArgs}` : `${builtin.minArgs} or ${builtin.maxArgs}`;
            e.args.forEach(a => { if (a.kind !== 'lambda') this.type(a, scope); });
            return this.error(e, `${e.callee} takes ${n} argument${n === '1' ? '' : 's'}, got ${e.args.length}: ${builtin.signature}`, 'arity');
        }
        let sawAny = false;
        const args: ArgType[] = e.args.map(a => {
            if (a.kind === 'lambda') return this.lambda(a, scope);
            const t = this.type(a, scope);
            if (t.kind === 'any') sawAny = true;
            return { kind: 'value', type: t };
        });
        const result = builtin.type(args);
        if (!('error' in result)) return result;
        // An argument of unknown type already carries its own error, or comes from a features module.
        if (sawAny) return ANY;
        const arg = result.arg !== undefined ? e.args[result.arg] : undefined;
        // A lambda's result is what is wrong: point at its body.
        const at = arg === undefined ? e : arg.kind === 'lambda' ? arg.body : arg;
        return this.error(at, `${e.callee}: ${result.error}`);
    }

    private lambda(a: Extract<Expr, { kind: 'lambda' }>, scope: Scope): ArgType {
        let memo: FeatureType | undefined;
        return {
            kind: 'lambda',
            arity: a.params.length,
            // Type rules call this once; memoising keeps the body's errors from being reported twice.
            result: params => {
                if (memo) return memo;
                const inner = new Map(scope);
                a.params.forEach((p, i) => inner.set(p, params[i] ?? ANY));
                return (memo = this.type(a.body, inner));
            },
        };
    }
}
