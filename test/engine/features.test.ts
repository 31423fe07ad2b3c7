import { describe, expect, it } from 'vitest';
import { isHypError } from '../../engine/errors.js';
import {
    BUILTINS, checkExprType, describeType, evaluate, evaluateFeatures, featureClasses, featureKey, fromFieldType, INT, listOf, type TypeIssue,
} from '../../engine/features/index.js';
import type { Expr, FeatureValue, HypothesisSpec } from '../../engine/spec.js';
import { DEFAULT_RUN_OPTIONS } from '../../engine/spec.js';

// Small constructors keep the expected Expr trees readable.
const n = (value: number): Expr => ({ kind: 'number', value });
const s = (value: string): Expr => ({ kind: 'string', value });
const ref = (name: string): Expr => ({ kind: 'ref', name });
const bin = (op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const call = (callee: string, ...args: Expr[]): Expr => ({ kind: 'call', callee, args });
const lam = (params: string[], body: Expr): Expr => ({ kind: 'lambda', params, body });
const idx = (target: Expr, index: Expr): Expr => ({ kind: 'index', target, index });

const row = { z: [6, 2, 3], y: 1, s: '(()', name: 'ab' };
const ev = (e: Expr) => evaluate(e, { values: row });

function runtimeErrorOf(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        expect(isHypError(e)).toBe(true);
        expect((e as { code: string }).code).toBe('feature-runtime');
        return (e as Error).message;
    }
    throw new Error('expected a runtime error');
}

describe('evaluate', () => {
    it('indexes with negative indices from the end and slices like Python', () => {
        expect(ev(idx(ref('z'), n(0)))).toBe(6);
        expect(ev(idx(ref('z'), n(-1)))).toBe(3);
        expect(ev({ kind: 'slice', target: ref('z'), start: n(1) })).toEqual([2, 3]);
        expect(ev({ kind: 'slice', target: ref('z'), end: n(-1) })).toEqual([6, 2]);
        expect(ev({ kind: 'slice', target: ref('z'), start: n(-10), end: n(10) })).toEqual([6, 2, 3]);
        expect(ev({ kind: 'slice', target: ref('s'), start: n(1) })).toBe('()');
    });

    it('reports an index out of range with the list length', () => {
        expect(runtimeErrorOf(() => ev(idx(ref('z'), n(3))))).toBe('index 3 is out of range for a list of length 3');
        expect(runtimeErrorOf(() => ev(idx(ref('z'), n(0.5))))).toBe('index 0.5 is not an integer');
    });

    it('computes arithmetic, comparisons, and/or/not and conditionals', () => {
        expect(ev(bin('+', n(1), bin('*', n(2), n(3))))).toBe(7);
        expect(ev(bin('%', n(-1), n(3)))).toBe(2);
        expect(ev(bin('+', s('a'), s('b')))).toBe('ab');
        expect(ev(bin('+', ref('z'), { kind: 'list', items: [n(1)] }))).toEqual([6, 2, 3, 1]);
        expect(ev(bin('and', bin('>', idx(ref('z'), n(0)), n(3)), { kind: 'unary', op: 'not', arg: { kind: 'boolean', value: false } }))).toBe(true);
        expect(ev({ kind: 'conditional', test: bin('==', ref('y'), n(1)), then: s('yes'), else: s('no') })).toBe('yes');
        expect(ev(bin('==', ref('z'), { kind: 'list', items: [n(6), n(2), n(3)] }))).toBe(true);
        expect(runtimeErrorOf(() => ev(bin('/', n(1), n(0))))).toBe('division by zero');
        expect(runtimeErrorOf(() => ev(bin('and', n(1), n(0))))).toBe('and needs a boolean, got the number 1');
    });

    it('maps, filters and counts with one- and two-parameter lambdas', () => {
        expect(ev(call('map', ref('z'), lam(['x'], bin('*', ref('x'), n(2)))))).toEqual([12, 4, 6]);
        expect(ev(call('map', ref('z'), lam(['x', 'i'], bin('+', ref('x'), ref('i')))))).toEqual([6, 3, 5]);
        expect(ev(call('filter', ref('z'), lam(['x'], bin('>', ref('x'), n(2)))))).toEqual([6, 3]);
        expect(ev(call('count', ref('z'), lam(['x'], bin('>', ref('x'), n(2)))))).toBe(2);
        expect(ev(call('count', ref('s'), s('(')))).toBe(2);
    });

    it('checks balanced parentheses with cumsum over a mapped string', () => {
        const depth = call('cumsum', call('map', ref('s'), lam(['c'], { kind: 'conditional', test: bin('==', ref('c'), s('(')), then: n(1), else: n(-1) })));
        expect(ev(depth)).toEqual([1, 2, 1]);
        expect(ev(call('all', depth, lam(['h'], bin('>=', ref('h'), n(0)))))).toBe(true);
        expect(ev(bin('==', call('sum', call('map', ref('s'), lam(['c'], { kind: 'conditional', test: bin('==', ref('c'), s('(')), then: n(1), else: n(-1) }))), n(0)))).toBe(false);
    });

    it('implements every other builtin with the documented values', () => {
        expect(ev(call('len', ref('z')))).toBe(3);
        expect(ev(call('len', ref('s')))).toBe(3);
        expect(ev(call('sum', ref('z')))).toBe(11);
        expect(ev(call('mean', ref('z')))).toBeCloseTo(11 / 3);
        expect(ev(call('min', ref('z')))).toBe(2);
        expect(ev(call('max', n(1), n(5), n(2)))).toBe(5);
        expect(ev(call('any', call('map', ref('z'), lam(['x'], bin('>', ref('x'), n(5))))))).toBe(true);
        expect(ev(call('all', ref('z'), lam(['x'], bin('>', ref('x'), n(2)))))).toBe(false);
        expect(ev(call('reverse', ref('z')))).toEqual([3, 2, 6]);
        expect(ev(call('reverse', ref('name')))).toBe('ba');
        expect(ev(call('sort', ref('z')))).toEqual([2, 3, 6]);
        expect(ev(call('reduce', ref('z'), n(0), lam(['acc', 'x'], bin('+', ref('acc'), ref('x')))))).toBe(11);
        expect(ev(call('zip', ref('z'), ref('name')))).toEqual([[6, 'a'], [2, 'b']]);
        expect(ev(call('range', n(3)))).toEqual([0, 1, 2]);
        expect(ev(call('range', n(2), n(4)))).toEqual([2, 3]);
        expect(ev(call('index', ref('z'), n(3)))).toBe(2);
        expect(ev(call('contains', ref('name'), s('b')))).toBe(true);
        expect(ev(call('abs', n(-2)))).toBe(2);
        expect(ev(call('round', n(-2.5)))).toBe(-3);
        expect(ev(call('floor', n(2.7)))).toBe(2);
        expect(ev(call('ceil', n(2.1)))).toBe(3);
        expect(ev(call('int', { kind: 'boolean', value: true }))).toBe(1);
        expect(ev(call('int', n(-2.7)))).toBe(-2);
        expect(ev(call('float', s('1.5')))).toBe(1.5);
        expect(ev(call('str', ref('z')))).toBe('[6,2,3]');
        expect(runtimeErrorOf(() => ev(call('min', { kind: 'list', items: [] })))).toBe('min of an empty list');
    });

    it('calls features-module functions and rejects what they return when it is not a value', () => {
        const functions = { double: (x: unknown) => (x as number) * 2, bad: () => ({}) };
        expect(evaluate(call('double', n(4)), { functions })).toBe(8);
        expect(runtimeErrorOf(() => evaluate(call('bad'), { functions }))).toContain('returned a object');
        expect(runtimeErrorOf(() => evaluate(call('nope'), { functions }))).toBe('unknown function "nope"');
    });

    it('names an unbound name', () => {
        expect(runtimeErrorOf(() => ev(ref('w')))).toBe('unknown name "w"');
    });
});

describe('featureKey and featureClasses', () => {
    it('gives equal keys exactly to equal values', () => {
        expect(featureKey([1, [true, 'a']])).toBe('[1,[true,"a"]]');
        expect(featureKey(1)).toBe(featureKey(1.0));
        expect(featureKey(1)).not.toBe(featureKey(true));
        expect(featureKey('1')).not.toBe(featureKey(1));
        expect(featureKey(-0)).toBe('0');
        expect(featureKey(NaN)).toBe('NaN');
    });

    it('groups examples by value in order of first appearance', () => {
        const { classOf, members } = featureClasses([true, false, true, true, [1], [1]]);
        expect([...classOf]).toEqual([0, 1, 0, 0, 2, 2]);
        expect(members.map(m => [...m])).toEqual([[0, 2, 3], [1], [4, 5]]);
    });
});

describe('evaluateFeatures', () => {
    const rows = [{ z: [6, 2, 3] }, { z: [1, 5, 0] }, { z: [0, 0, 0] }];
    const hypothesis: HypothesisSpec = {
        name: 'correct',
        options: DEFAULT_RUN_OPTIONS,
        nodes: [
            // Deliberately out of order: evaluation must go parents first.
            { name: 'd', graphNode: 'D', feature: bin('or', ref('a'), ref('b')), parents: ['a', 'b'] },
            { name: 'a', graphNode: 'A', feature: bin('>', idx(ref('z'), n(0)), n(3)), parents: ['input.z1'] },
            { name: 'b', graphNode: 'B', feature: bin('>', idx(ref('z'), n(1)), n(3)), parents: ['input.z2'] },
            { name: 'c', graphNode: 'C', feature: bin('*', idx(ref('input.z3'), n(0)), n(2)), parents: ['input.z3'] },
            { name: 'output', graphNode: 'output', feature: null, parents: ['d'] },
        ],
    };
    const inputPart = (part: string, r: number): FeatureValue => [rows[r].z[Number(part.slice('input.z'.length)) - 1]];

    it('computes each node from fields, I-parent features and input parts', () => {
        const table = evaluateFeatures(hypothesis, rows, { inputPart });
        expect(table.get('a')).toEqual([true, false, false]);
        expect(table.get('b')).toEqual([false, true, false]);
        expect(table.get('d')).toEqual([true, true, false]);
        expect(table.get('c')).toEqual([6, 0, 0]);
        expect(table.get('input.z1')).toEqual([[6], [1], [0]]);
        expect(table.has('output')).toBe(false);
        expect([...featureClasses(table.get('d')!).classOf]).toEqual([0, 0, 1]);
    });

    it('names the node and the row when a feature fails', () => {
        const bad: HypothesisSpec = { ...hypothesis, nodes: [{ name: 'a', graphNode: 'A', feature: idx(ref('z'), n(5)), parents: [] }] };
        expect(() => evaluateFeatures(bad, rows)).toThrow('feature of a on dataset row 1: index 5 is out of range for a list of length 3');
    });
});

describe('checkExprType', () => {
    const fields = new Map([['z', fromFieldType({ kind: 'list', element: { kind: 'number', integer: true } })], ['s', fromFieldType({ kind: 'string' })]]);
    const check = (e: Expr) => {
        const issues: TypeIssue[] = [];
        const type = checkExprType(e, { lookup: name => fields.get(name), hasFunction: name => name === 'mine' }, i => issues.push(i));
        return { type: describeType(type), issues: issues.map(i => `${i.code}: ${i.message}`) };
    };

    it('infers element, lambda and builtin result types', () => {
        expect(check(idx(ref('z'), n(0)))).toEqual({ type: 'int', issues: [] });
        expect(check(call('map', ref('z'), lam(['x'], bin('>', ref('x'), n(3)))))).toEqual({ type: 'list<boolean>', issues: [] });
        expect(check(call('map', ref('s'), lam(['c'], bin('==', ref('c'), s('(')))))).toEqual({ type: 'list<boolean>', issues: [] });
        expect(check(call('cumsum', ref('z')))).toEqual({ type: 'list<int>', issues: [] });
        expect(check(bin('/', n(1), n(2)))).toEqual({ type: 'number', issues: [] });
        expect(check(call('mine', ref('z')))).toEqual({ type: 'any', issues: [] });
    });

    it('reports type errors once, where they arise', () => {
        expect(check(bin('and', bin('>', idx(ref('z'), n(0)), s('3')), ref('q')))).toEqual({
            type: 'boolean',
            issues: ['type: `>` compares two numbers or two strings, not int and string', 'unknown-name: unknown name "q"'],
        });
        expect(check(idx(ref('z'), bin('/', n(1), n(2)))).issues).toEqual(['type: an index needs an int, got number']);
        expect(check(call('sum', ref('s'))).issues).toEqual(['type: sum: expects a list of numbers, got list<string>']);
        expect(check(call('filter', ref('z'), lam(['x'], ref('x')))).issues).toEqual(['type: filter: the function must return a boolean, not int']);
        expect(check(call('len')).issues).toEqual(['arity: len takes 1 argument, got 0: len(xs) → int']);
        expect(check(call('lenn', ref('z'))).issues).toEqual(['unknown-function: unknown function "lenn"']);
        expect(check({ kind: 'conditional', test: n(1), then: n(1), else: s('a') }).issues).toEqual([
            'type: the condition of `if` needs boolean, got int', 'type: both branches must have one type: int and string']);
    });

    it('has a documented type rule for every builtin', () => {
        for (const b of BUILTINS.values()) {
            expect(b.doc.length).toBeGreaterThan(10);
            expect(b.signature.startsWith(b.name)).toBe(true);
        }
        expect(describeType(listOf(INT))).toBe('list<int>');
    });
});
