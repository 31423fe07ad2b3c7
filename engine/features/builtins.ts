// The builtin functions of feature expressions: one table read by the evaluator (impl), the
// language's type checker (type) and hovers and completion (signature, doc).
import { HypError } from '../errors.js';
import type { FeatureValue } from '../spec.js';
import { ANY, BOOLEAN, INT, NUMBER, STRING, describeType, elementType, isAssignable, joinTypes, listOf, type FeatureType } from './types.js';
import { kindOfValue, valuesEqual } from './values.js';

/** A lambda at run time: called with (element) or (element, index) by the builtins that take one. */
export class Closure {
    constructor(readonly arity: number, readonly call: (args: FeatureValue[]) => FeatureValue) {}
}

export type RuntimeValue = FeatureValue | Closure;

/** What the type checker knows of an argument: a value's type, or a lambda whose result depends on its parameters. */
export type ArgType =
    | { kind: 'value'; type: FeatureType }
    | { kind: 'lambda'; arity: number; result(params: FeatureType[]): FeatureType };

/** A type rule's answer: the result type, or an error (on argument `arg` when given). */
export type TypeRuleResult = FeatureType | { error: string; arg?: number };

export interface Builtin {
    name: string;
    /** How it is called, e.g. `map(xs, x => …) → list`. */
    signature: string;
    /** One line of documentation. */
    doc: string;
    minArgs: number;
    maxArgs: number;
    type(args: ArgType[]): TypeRuleResult;
    impl(args: RuntimeValue[]): FeatureValue;
}

/** A runtime error raised by a builtin, with the code every feature evaluation error carries. */
export function runtimeError(message: string): HypError {
    return new HypError(message, 'feature-runtime');
}

// ---- runtime argument helpers -------------------------------------------------------------------

function num(name: string, v: RuntimeValue): number {
    if (typeof v !== 'number') throw runtimeError(`${name} expects a number, got a ${kindOfValue(v)}`);
    return v;
}

function seq(name: string, v: RuntimeValue): FeatureValue[] {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return [...v];
    throw runtimeError(`${name} expects a list or a string, got a ${kindOfValue(v)}`);
}

function nums(name: string, v: RuntimeValue): number[] {
    const xs = seq(name, v);
    for (const x of xs) if (typeof x !== 'number') throw runtimeError(`${name} expects a list of numbers, found a ${kindOfValue(x)}`);
    return xs as number[];
}

function fn(name: string, v: RuntimeValue): Closure {
    if (!(v instanceof Closure)) throw runtimeError(`${name} expects a function (x => …), got a ${kindOfValue(v)}`);
    return v;
}

function bool(name: string, v: FeatureValue): boolean {
    if (typeof v !== 'boolean') throw runtimeError(`${name}: the function must return a boolean, got a ${kindOfValue(v)}`);
    return v;
}

// ---- type rule helpers --------------------------------------------------------------------------

function valueType(a: ArgType | undefined): FeatureType | undefined {
    return a?.kind === 'value' ? a.type : undefined;
}

/** The element type of a list-or-string argument, or an error. */
function seqElement(args: ArgType[], i: number): FeatureType | { error: string; arg: number } {
    const t = valueType(args[i]);
    const e = t && elementType(t);
    return e ?? { error: `expects a list or a string${t ? `, got ${describeType(t)}` : ', got a function'}`, arg: i };
}

function numericList(args: ArgType[], i: number): FeatureType | { error: string; arg: number } {
    const e = seqElement(args, i);
    if ('error' in e) return e;
    return isAssignable(e, NUMBER) ? e : { error: `expects a list of numbers, got list<${describeType(e)}>`, arg: i };
}

/** The result type of a lambda argument given its element type (the optional second parameter is the index). */
function lambdaResult(args: ArgType[], i: number, element: FeatureType): FeatureType | { error: string; arg: number } {
    const a = args[i];
    if (a?.kind !== 'lambda') return { error: 'expects a function here, e.g. x => x > 0', arg: i };
    if (a.arity < 1 || a.arity > 2) return { error: 'the function takes (element) or (element, index)', arg: i };
    return a.result([element, INT]);
}

function predicate(args: ArgType[], i: number, element: FeatureType): FeatureType | { error: string; arg: number } {
    const r = lambdaResult(args, i, element);
    if ('error' in r) return r;
    return isAssignable(r, BOOLEAN) ? BOOLEAN : { error: `the function must return a boolean, not ${describeType(r)}`, arg: i };
}

function numeric(args: ArgType[], i: number): FeatureType | { error: string; arg: number } {
    const t = valueType(args[i]);
    if (t && isAssignable(t, NUMBER)) return t;
    return { error: `expects a number${t ? `, got ${describeType(t)}` : ''}`, arg: i };
}

function callEach(f: Closure, xs: FeatureValue[]): FeatureValue[] {
    return xs.map((x, i) => f.call([x, i]));
}

const sumOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function extreme(name: string, args: RuntimeValue[], pick: (a: number, b: number) => number): number {
    const xs = args.length === 1 ? nums(name, args[0]) : args.map(a => num(name, a));
    if (xs.length === 0) throw runtimeError(`${name} of an empty list`);
    return xs.reduce((a, b) => pick(a, b));
}

function extremeType(args: ArgType[]): TypeRuleResult {
    if (args.length === 1) return numericList(args, 0);
    let t: FeatureType = INT;
    for (let i = 0; i < args.length; i++) {
        const a = numeric(args, i);
        if ('error' in a) return a;
        t = joinTypes(t, a) ?? NUMBER;
    }
    return t;
}

const B = (b: Builtin) => b;

/** Every builtin, by name. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map([
    B({
        name: 'len', signature: 'len(xs) → int', doc: 'Number of elements of a list, or characters of a string.', minArgs: 1, maxArgs: 1,
        type: a => { const e = seqElement(a, 0); return 'error' in e ? e : INT; },
        impl: ([xs]) => seq('len', xs).length,
    }),
    B({
        name: 'count', signature: 'count(xs, x => bool) → int  |  count(xs, value) → int', doc: 'Number of elements satisfying a predicate, or equal to a value.', minArgs: 2, maxArgs: 2,
        type: a => {
            const e = seqElement(a, 0);
            if ('error' in e) return e;
            if (a[1].kind === 'lambda') { const p = predicate(a, 1, e); return 'error' in p ? p : INT; }
            return joinTypes(e, a[1].type) ? INT : { error: `counts ${describeType(e)} elements, not ${describeType(a[1].type)}`, arg: 1 };
        },
        impl: ([xs, what]) => {
            const items = seq('count', xs);
            if (what instanceof Closure) return items.filter((x, i) => bool('count', what.call([x, i]))).length;
            return items.filter(x => valuesEqual(x, what)).length;
        },
    }),
    B({
        name: 'sum', signature: 'sum(xs) → number', doc: 'Sum of a list of numbers (0 for an empty list).', minArgs: 1, maxArgs: 1,
        type: a => numericList(a, 0), impl: ([xs]) => sumOf(nums('sum', xs)),
    }),
    B({
        name: 'mean', signature: 'mean(xs) → number', doc: 'Arithmetic mean of a non-empty list of numbers.', minArgs: 1, maxArgs: 1,
        type: a => { const e = numericList(a, 0); return 'error' in e ? e : NUMBER; },
        impl: ([xs]) => { const v = nums('mean', xs); if (v.length === 0) throw runtimeError('mean of an empty list'); return sumOf(v) / v.length; },
    }),
    B({
        name: 'min', signature: 'min(xs) | min(a, b, …) → number', doc: 'Smallest of a list of numbers, or of its arguments.', minArgs: 1, maxArgs: Infinity,
        type: extremeType, impl: args => extreme('min', args, Math.min),
    }),
    B({
        name: 'max', signature: 'max(xs) | max(a, b, …) → number', doc: 'Largest of a list of numbers, or of its arguments.', minArgs: 1, maxArgs: Infinity,
        type: extremeType, impl: args => extreme('max', args, Math.max),
    }),
    B({
        name: 'any', signature: 'any(xs) | any(xs, x => bool) → bool', doc: 'Whether some element is true (or satisfies the predicate); false for an empty list.', minArgs: 1, maxArgs: 2,
        type: a => quantifierType(a), impl: ([xs, p]) => quantify('any', xs, p).some(b => b),
    }),
    B({
        name: 'all', signature: 'all(xs) | all(xs, x => bool) → bool', doc: 'Whether every element is true (or satisfies the predicate); true for an empty list.', minArgs: 1, maxArgs: 2,
        type: a => quantifierType(a), impl: ([xs, p]) => quantify('all', xs, p).every(b => b),
    }),
    B({
        name: 'cumsum', signature: 'cumsum(xs) → list<number>', doc: 'Running sums: cumsum([1, -1, 1]) = [1, 0, 1].', minArgs: 1, maxArgs: 1,
        type: a => { const e = numericList(a, 0); return 'error' in e ? e : listOf(e); },
        impl: ([xs]) => { let s = 0; return nums('cumsum', xs).map(x => (s += x)); },
    }),
    B({
        name: 'reverse', signature: 'reverse(xs) → same type', doc: 'The list or string in reverse order.', minArgs: 1, maxArgs: 1,
        type: a => { const e = seqElement(a, 0); return 'error' in e ? e : (a[0] as { type: FeatureType }).type; },
        impl: ([xs]) => typeof xs === 'string' ? [...xs].reverse().join('') : [...seq('reverse', xs)].reverse(),
    }),
    B({
        name: 'sort', signature: 'sort(xs) → same type', doc: 'The list sorted ascending (numbers by value, strings by code point).', minArgs: 1, maxArgs: 1,
        type: a => {
            const t = valueType(a[0]);
            if (t?.kind !== 'list' || !['number', 'string', 'any'].includes(t.element.kind)) return { error: 'expects a list of numbers or of strings', arg: 0 };
            return t;
        },
        impl: ([xs]) => [...seq('sort', xs)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
    }),
    B({
        name: 'map', signature: 'map(xs, x => …) → list', doc: 'Applies the function to each element (a string maps over its characters); (x, i) => … also gets the index.', minArgs: 2, maxArgs: 2,
        type: a => { const e = seqElement(a, 0); if ('error' in e) return e; const r = lambdaResult(a, 1, e); return 'error' in r ? r : listOf(r); },
        impl: ([xs, f]) => callEach(fn('map', f), seq('map', xs)),
    }),
    B({
        name: 'filter', signature: 'filter(xs, x => bool) → list', doc: 'The elements satisfying the predicate, in order.', minArgs: 2, maxArgs: 2,
        type: a => { const e = seqElement(a, 0); if ('error' in e) return e; const p = predicate(a, 1, e); return 'error' in p ? p : listOf(e); },
        impl: ([xs, f]) => { const p = fn('filter', f); return seq('filter', xs).filter((x, i) => bool('filter', p.call([x, i]))); },
    }),
    B({
        name: 'reduce', signature: 'reduce(xs, init, (acc, x) => …) → type of init', doc: 'Folds the list from the left, starting from init.', minArgs: 3, maxArgs: 3,
        type: a => {
            const e = seqElement(a, 0);
            if ('error' in e) return e;
            const init = valueType(a[1]);
            const f = a[2];
            if (!init) return { error: 'expects an initial value', arg: 1 };
            if (f.kind !== 'lambda' || f.arity !== 2) return { error: 'expects a function (acc, x) => …', arg: 2 };
            const r = f.result([init, e]);
            return joinTypes(r, init) ?? { error: `the function returns ${describeType(r)} but init is ${describeType(init)}`, arg: 2 };
        },
        impl: ([xs, init, f]) => { const g = fn('reduce', f); return seq('reduce', xs).reduce<FeatureValue>((acc, x) => g.call([acc, x]), init as FeatureValue); },
    }),
    B({
        name: 'zip', signature: 'zip(a, b) → list<list>', doc: 'Pairs of elements at the same position, as long as the shorter list.', minArgs: 2, maxArgs: 2,
        type: a => {
            const x = seqElement(a, 0); if ('error' in x) return x;
            const y = seqElement(a, 1); if ('error' in y) return y;
            return listOf(listOf(joinTypes(x, y) ?? ANY));
        },
        impl: ([xs, ys]) => { const a = seq('zip', xs), b = seq('zip', ys); return a.slice(0, Math.min(a.length, b.length)).map((x, i) => [x, b[i]]); },
    }),
    B({
        name: 'range', signature: 'range(n) | range(a, b) → list<int>', doc: 'The integers 0 … n-1, or a … b-1.', minArgs: 1, maxArgs: 2,
        type: a => { for (let i = 0; i < a.length; i++) { const t = valueType(a[i]); if (!t || !isAssignable(t, INT)) return { error: 'expects an int', arg: i }; } return listOf(INT); },
        impl: args => {
            const [lo, hi] = args.length === 1 ? [0, num('range', args[0])] : [num('range', args[0]), num('range', args[1])];
            const out: number[] = [];
            for (let i = lo; i < hi; i++) out.push(i);
            return out;
        },
    }),
    B({
        name: 'index', signature: 'index(xs, value) → int', doc: 'Position of the first element equal to value, or -1.', minArgs: 2, maxArgs: 2,
        type: a => { const e = seqElement(a, 0); return 'error' in e ? e : INT; },
        impl: ([xs, v]) => seq('index', xs).findIndex(x => valuesEqual(x, v as FeatureValue)),
    }),
    B({
        name: 'contains', signature: 'contains(xs, value) → bool', doc: 'Whether the list has an element equal to value (for strings: a substring).', minArgs: 2, maxArgs: 2,
        type: a => { const e = seqElement(a, 0); return 'error' in e ? e : BOOLEAN; },
        impl: ([xs, v]) => typeof xs === 'string' && typeof v === 'string' ? xs.includes(v) : seq('contains', xs).some(x => valuesEqual(x, v as FeatureValue)),
    }),
    B({
        name: 'abs', signature: 'abs(x) → number', doc: 'Absolute value.', minArgs: 1, maxArgs: 1,
        type: a => numeric(a, 0), impl: ([x]) => Math.abs(num('abs', x)),
    }),
    B({
        name: 'round', signature: 'round(x) → int', doc: 'Nearest integer (halves away from zero).', minArgs: 1, maxArgs: 1,
        type: a => { const t = numeric(a, 0); return 'error' in t ? t : INT; },
        impl: ([x]) => { const v = num('round', x); return Math.sign(v) * Math.round(Math.abs(v)); },
    }),
    B({
        name: 'floor', signature: 'floor(x) → int', doc: 'Largest integer not above x.', minArgs: 1, maxArgs: 1,
        type: a => { const t = numeric(a, 0); return 'error' in t ? t : INT; }, impl: ([x]) => Math.floor(num('floor', x)),
    }),
    B({
        name: 'ceil', signature: 'ceil(x) → int', doc: 'Smallest integer not below x.', minArgs: 1, maxArgs: 1,
        type: a => { const t = numeric(a, 0); return 'error' in t ? t : INT; }, impl: ([x]) => Math.ceil(num('ceil', x)),
    }),
    B({
        name: 'int', signature: 'int(x) → int', doc: 'A number truncated toward zero, a boolean as 0 or 1, or a string of digits parsed.', minArgs: 1, maxArgs: 1,
        type: a => { const t = valueType(a[0]); return t && t.kind !== 'list' ? INT : { error: 'expects a number, boolean or string', arg: 0 }; },
        impl: ([x]) => toNumber('int', x, Math.trunc),
    }),
    B({
        name: 'float', signature: 'float(x) → number', doc: 'A number, a boolean as 0 or 1, or a numeric string parsed.', minArgs: 1, maxArgs: 1,
        type: a => { const t = valueType(a[0]); return t && t.kind !== 'list' ? NUMBER : { error: 'expects a number, boolean or string', arg: 0 }; },
        impl: ([x]) => toNumber('float', x, v => v),
    }),
    B({
        name: 'str', signature: 'str(x) → string', doc: 'The value written as text (lists as JSON).', minArgs: 1, maxArgs: 1,
        type: () => STRING, impl: ([x]) => typeof x === 'string' ? x : JSON.stringify(x),
    }),
].map(b => [b.name, b]));

function quantifierType(a: ArgType[]): TypeRuleResult {
    const e = seqElement(a, 0);
    if ('error' in e) return e;
    if (a.length === 2) { const p = predicate(a, 1, e); return 'error' in p ? p : BOOLEAN; }
    return isAssignable(e, BOOLEAN) ? BOOLEAN : { error: `expects a list of booleans (or a predicate), got list<${describeType(e)}>`, arg: 0 };
}

function quantify(name: string, xs: RuntimeValue, p: RuntimeValue | undefined): boolean[] {
    const items = seq(name, xs);
    if (p === undefined) return items.map(x => bool(name, x));
    const f = fn(name, p);
    return items.map((x, i) => bool(name, f.call([x, i])));
}

function toNumber(name: string, x: RuntimeValue, finish: (v: number) => number): number {
    if (typeof x === 'number') return finish(x);
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return finish(Number(x));
    throw runtimeError(`${name} cannot convert ${typeof x === 'string' ? JSON.stringify(x) : `a ${kindOfValue(x)}`} to a number`);
}
