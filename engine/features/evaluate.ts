// Evaluation of feature expressions. An expression is compiled once into nested closures and then
// run per dataset example; every failure is a HypError with code `feature-runtime`.
import type { Expr, FeatureValue } from '../spec.js';
import { BUILTINS, Closure, runtimeError, type RuntimeValue } from './builtins.js';
import { describeValue, isFeatureValue, kindOfValue, valuesEqual } from './values.js';

/** Functions exported by a features module, callable by name in features. */
export type FeatureFunctions = Readonly<Record<string, unknown>>;

/** Where free names get their values: `lookup` first, then `values` (a dataset row, say). */
export interface EvalEnv {
    /** The value of a free name (a dataset field, an I-parent's feature, an input part); undefined when unbound. */
    lookup?(name: string): FeatureValue | undefined;
    values?: Readonly<Record<string, unknown>>;
    functions?: FeatureFunctions;
}

/** A compiled expression: call it with an environment per example. */
export type CompiledExpr = (env: EvalEnv) => FeatureValue;

interface Ctx {
    env: EvalEnv;
    /** Lambda parameters in scope, innermost last. */
    locals: ReadonlyMap<string, FeatureValue> | undefined;
}

type Code = (ctx: Ctx) => RuntimeValue;

/** Evaluates an expression in an environment (compile once with compileExpr when evaluating per example). */
export function evaluate(expr: Expr, env: EvalEnv): FeatureValue {
    return compileExpr(expr)(env);
}

/** Compiles an expression into a function of the environment. */
export function compileExpr(expr: Expr): CompiledExpr {
    const code = compile(expr);
    return env => {
        const v = code({ env, locals: undefined });
        if (v instanceof Closure) throw runtimeError('a function (x => …) is not a feature value; pass it to a builtin such as map');
        return v;
    };
}

function compile(e: Expr): Code {
    switch (e.kind) {
        case 'number': case 'string': case 'boolean': { const v = e.value; return () => v; }
        case 'list': {
            const items = e.items.map(compile);
            return ctx => items.map(item => value(item(ctx), 'a list element'));
        }
        case 'ref': {
            const name = e.name;
            return ctx => {
                const local = ctx.locals?.get(name);
                if (local !== undefined) return local;
                const v = ctx.env.lookup?.(name) ?? (ctx.env.values && Object.hasOwn(ctx.env.values, name) ? ctx.env.values[name] : undefined);
                if (v === undefined) throw runtimeError(`unknown name "${name}"`);
                return v as FeatureValue;
            };
        }
        case 'unary': {
            const arg = compile(e.arg);
            if (e.op === 'not') return ctx => !boolOf(arg(ctx), 'not');
            return ctx => -numOf(arg(ctx), 'unary -');
        }
        case 'binary': return compileBinary(e.op, compile(e.left), compile(e.right));
        case 'conditional': {
            const test = compile(e.test), then = compile(e.then), otherwise = compile(e.else);
            return ctx => (boolOf(test(ctx), 'if') ? then(ctx) : otherwise(ctx));
        }
        case 'index': {
            const target = compile(e.target), index = compile(e.index);
            return ctx => indexValue(value(target(ctx), 'indexing'), numOf(index(ctx), 'an index'));
        }
        case 'slice': {
            const target = compile(e.target);
            const start = e.start && compile(e.start), end = e.end && compile(e.end);
            return ctx => sliceValue(value(target(ctx), 'slicing'),
                start && numOf(start(ctx), 'a slice bound'), end && numOf(end(ctx), 'a slice bound'));
        }
        case 'call': return compileCall(e.callee, e.args.map(compile));
        case 'lambda': {
            const params = e.params, body = compile(e.body);
            return ctx => new Closure(params.length, args => {
                const locals = new Map(ctx.locals);
                params.forEach((p, i) => locals.set(p, args[i]));
                return value(body({ env: ctx.env, locals }), 'a function result');
            });
        }
    }
}

function compileCall(callee: string, args: Code[]): Code {
    const builtin = BUILTINS.get(callee);
    if (builtin) {
        if (args.length < builtin.minArgs || args.length > builtin.maxArgs) {
            const count = builtin.minArgs === builtin.maxArgs ? `${builtin.minArgs}` : `${builtin.minArgs} to ${builtin.maxArgs}`;
            return () => { throw runtimeError(`${callee} takes ${count} arguments, got ${args.length}`); };
        }
        return ctx => builtin.impl(args.map(a => a(ctx)));
    }
    return ctx => {
        const f = ctx.env.functions?.[callee];
        if (typeof f !== 'function') throw runtimeError(`unknown function "${callee}"`);
        const values = args.map(a => value(a(ctx), `an argument of ${callee}`));
        let result: unknown;
        try {
            result = f(...values);
        } catch (err) {
            throw runtimeError(`features-module function ${callee} threw: ${(err as Error)?.message ?? String(err)}`);
        }
        if (!isFeatureValue(result)) {
            throw runtimeError(`features-module function ${callee} returned ${result === null ? 'null' : `a ${kindOfValue(result)}`}; features must be numbers, strings, booleans or lists of them`);
        }
        return result;
    };
}

function compileBinary(op: string, left: Code, right: Code): Code {
    switch (op) {
        case 'and': return ctx => boolOf(left(ctx), 'and') && boolOf(right(ctx), 'and');
        case 'or': return ctx => boolOf(left(ctx), 'or') || boolOf(right(ctx), 'or');
        case '==': return ctx => valuesEqual(value(left(ctx), '=='), value(right(ctx), '=='));
        case '!=': return ctx => !valuesEqual(value(left(ctx), '!='), value(right(ctx), '!='));
        case '+': return ctx => add(left(ctx), right(ctx));
        default: {
            const f = ARITHMETIC[op];
            if (f) return ctx => f(numOf(left(ctx), op), numOf(right(ctx), op));
            return ctx => compare(op, left(ctx), right(ctx));
        }
    }
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => { if (b === 0) throw runtimeError('division by zero'); return a / b; },
    // Python's modulo: the result has the sign of the divisor, so `i % n` is a valid index.
    '%': (a, b) => { if (b === 0) throw runtimeError('modulo by zero'); return ((a % b) + b) % b; },
};

function add(a: RuntimeValue, b: RuntimeValue): FeatureValue {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    throw runtimeError(`cannot add a ${kindOfValue(a)} and a ${kindOfValue(b)}`);
}

function compare(op: string, a: RuntimeValue, b: RuntimeValue): boolean {
    if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
        throw runtimeError(`cannot compare a ${kindOfValue(a)} with a ${kindOfValue(b)} using ${op}`);
    }
    switch (op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        default: return a >= b;
    }
}

function value(v: RuntimeValue, where: string): FeatureValue {
    if (v instanceof Closure) throw runtimeError(`a function (x => …) cannot be used as ${where}`);
    return v;
}

function numOf(v: RuntimeValue, where: string): number {
    if (typeof v !== 'number') throw runtimeError(`${where} needs a number, got ${describeRuntime(v)}`);
    return v;
}

function boolOf(v: RuntimeValue, where: string): boolean {
    if (typeof v !== 'boolean') throw runtimeError(`${where} needs a boolean, got ${describeRuntime(v)}`);
    return v;
}

function describeRuntime(v: RuntimeValue): string {
    return v instanceof Closure ? 'a function' : `the ${kindOfValue(v)} ${describeValue(v, 30)}`;
}

function indexValue(target: FeatureValue, i: number): FeatureValue {
    if (typeof target !== 'string' && !Array.isArray(target)) throw runtimeError(`cannot index a ${kindOfValue(target)}`);
    if (!Number.isInteger(i)) throw runtimeError(`index ${i} is not an integer`);
    const n = target.length;
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw runtimeError(`index ${i} is out of range for a ${kindOfValue(target)} of length ${n}`);
    return target[j];
}

/** Python slice semantics: negative bounds count from the end, out-of-range bounds are clamped. */
function sliceValue(target: FeatureValue, start: number | undefined, end: number | undefined): FeatureValue {
    if (typeof target !== 'string' && !Array.isArray(target)) throw runtimeError(`cannot slice a ${kindOfValue(target)}`);
    for (const b of [start, end]) if (b !== undefined && !Number.isInteger(b)) throw runtimeError(`slice bound ${b} is not an integer`);
    const n = target.length;
    const clamp = (b: number) => Math.min(n, Math.max(0, b < 0 ? b + n : b));
    return target.slice(start === undefined ? 0 : clamp(start), end === undefined ? n : clamp(end));
}
