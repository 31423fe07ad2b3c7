// Features on the drawing read as the user wrote them: parentheses exactly where precedence needs them.
import { describe, expect, it } from 'vitest';
import { featureText } from '../../draw/feature-text.js';
import { wrap } from '../../draw/layout.js';
import { segmentUnion } from '../../draw/segments.js';
import type { Expr } from '../../engine/spec.js';

const ref = (name: string): Expr => ({ kind: 'ref', name });
const num = (value: number): Expr => ({ kind: 'number', value });
const bin = (op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });

describe('featureText', () => {
    it('keeps the parentheses a sum needs under a product, and drops those precedence makes redundant', () => {
        expect(featureText(bin('*', bin('+', ref('a'), ref('b')), ref('c')))).toBe('(a + b) * c');
        expect(featureText(bin('+', ref('a'), bin('*', ref('b'), ref('c'))))).toBe('a + b * c');
        expect(featureText(bin('-', ref('a'), bin('-', ref('b'), ref('c'))))).toBe('a - (b - c)');
        expect(featureText(bin('-', bin('-', ref('a'), ref('b')), ref('c')))).toBe('a - b - c');
    });

    it('writes comparisons, booleans, indexing, calls and lambdas as source text', () => {
        expect(featureText(bin('>', { kind: 'index', target: ref('z'), index: num(0) }, num(3)))).toBe('z[0] > 3');
        expect(featureText(bin('and', { kind: 'unary', op: 'not', arg: bin('or', ref('a'), ref('b')) }, ref('c')))).toBe('not (a or b) and c');
        expect(featureText({ kind: 'call', callee: 'count', args: [ref('text'), { kind: 'string', value: '(' }] })).toBe('count(text, "(")');
        expect(featureText({ kind: 'call', callee: 'map', args: [ref('xs'), { kind: 'lambda', params: ['x'], body: bin('*', ref('x'), num(2)) }] })).toBe('map(xs, x => x * 2)');
        expect(featureText({ kind: 'conditional', test: ref('c'), then: num(1), else: { kind: 'unary', op: '-', arg: num(1) } })).toBe('1 if c else -1');
        expect(featureText({ kind: 'slice', target: ref('text'), start: num(1) })).toBe('text[1:]');
    });
});

describe('wrap', () => {
    it('breaks long text after spaces and shortens what does not fit the last line', () => {
        expect(wrap('a = short', 40, 3)).toEqual(['a = short']);
        expect(wrap('h0 = all(cumsum(map(reverse(text), c => 1 if c == ")" else -1)), d => d >= 0)', 40, 3))
            .toEqual(['h0 = all(cumsum(map(reverse(text), c =>', '1 if c == ")" else -1)), d => d >= 0)']);
        const lines = wrap('x'.repeat(200), 40, 3);
        expect(lines).toHaveLength(3);
        expect(lines[2].endsWith('…')).toBe(true);
    });
});

describe('segmentUnion', () => {
    it('draws a shared stretch of two orthogonal edges once', () => {
        const union = segmentUnion([[{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 5 }], [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: -5 }]]);
        expect(union).toEqual([[{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 10, y: -5 }, { x: 10, y: 5 }]]);
    });
});
