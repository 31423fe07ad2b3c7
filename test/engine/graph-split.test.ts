import { describe, expect, it } from 'vitest';
import { coverageMask } from '../../engine/graph/coverage-mask.js';
import { deriveG } from '../../engine/graph/derive-g.js';
import { compileIndexPredicate } from '../../engine/graph/index-predicate.js';
import { modelGraphFromProto } from '../../engine/graph/model-graph.js';
import { checkSplit } from '../../engine/graph/split.js';
import type { TensorInfo } from '../../engine/graph/types.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import type { Expr, PartSpec, SplitSpec } from '../../engine/spec.js';

const info = (shape: (number | string)[] | null): TensorInfo =>
    ({ name: 'attn', dtype: 'float32', shape, producer: { op: 'Mul', node: 'n', inputs: [] }, kind: 'intermediate' });
const ref = (name: string): Expr => ({ kind: 'ref', name });
const num = (value: number): Expr => ({ kind: 'number', value });
/** `src == dst - 1`: attention to the previous token. */
const previous: Expr = { kind: 'binary', op: '==', left: ref('src'), right: { kind: 'binary', op: '-', left: ref('dst'), right: num(1) } };
const prevPart: PartSpec = { name: 'prev', axes: [2, 3], vars: ['dst', 'src'], predicate: previous };
const messages = (shape: (number | string)[] | null, split: SplitSpec) => checkSplit('h', info(shape), split).problems.map(p => p.message);

describe('index-set splits', () => {
    it('normalise negative axes and indices when the shape is known', () => {
        const s = checkSplit('h', info(['batch', 4, 8]), { axis: -1, parts: [{ name: 'last', indices: [-1, -2] }] });
        expect(s.problems).toEqual([]);
        expect(s.parts).toEqual([{ name: 'last', coverage: { kind: 'part', part: { name: 'last', indices: [7, 6] }, axis: 2 } }]);
        expect(s.rest).toEqual({ kind: 'rest', split: { axis: 2, parts: [{ name: 'last', indices: [7, 6] }] } });
    });

    it('have no rest when the parts cover the axis, and a rest when they do not', () => {
        const heads = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i}`, indices: [i] }));
        expect(checkSplit('h', info(['batch', 4, 16]), { axis: 1, parts: heads(4) }).rest).toBeNull();
        expect(checkSplit('h', info(['batch', 4, 16]), { axis: 1, parts: heads(3) }).rest).not.toBeNull();
    });

    it('keep a rest when the axis has a symbolic size: it may cover elements at run time', () => {
        const s = checkSplit('h', info(['batch', 'seq', 16]), { axis: 1, parts: [{ name: 'first', indices: [0] }] });
        expect(s.problems).toEqual([]);
        expect(s.rest).not.toBeNull();
        expect(checkSplit('h', info(null), { axis: 1, parts: [{ name: 'first', indices: [0] }] }).rest).not.toBeNull();
    });

    it('report an axis out of range, the batch axis, an index out of range, an empty part and overlapping parts', () => {
        expect(messages(['batch', 3], { axis: 2, parts: [{ name: 'a', indices: [0] }] }))
            .toEqual(['split: axis 2 is out of range for "attn" of shape [batch, 3]']);
        expect(messages(['batch', 3], { axis: 0, parts: [{ name: 'a', indices: [0] }] })[0]).toMatch(/batch axis/);
        expect(messages(['batch', 3], { axis: 1, parts: [{ name: 'a', indices: [3] }] }))
            .toEqual(['part "a": index 3 is out of range for axis 1 of size 3']);
        expect(messages(['batch', 3], { axis: 1, parts: [{ name: 'a', indices: [] }] })).toEqual(['part "a" is empty']);
        expect(messages(['batch', 3], { axis: 1, parts: [{ name: 'a', indices: [0, 1] }, { name: 'b', indices: [-2] }] }))
            .toEqual(['parts "a" and "b" overlap: parts must not share elements']);
        // With an unknown size, overlaps are still seen where the same index is named twice.
        expect(messages(['batch', 'n'], { axis: 1, parts: [{ name: 'a', indices: [0, 1] }, { name: 'b', indices: [1] }] }))
            .toEqual(['parts "a" and "b" overlap at index 1: parts must not share elements']);
    });

    it('report a missing axis, a part called rest and a part declared twice', () => {
        expect(messages(['batch', 3], { parts: [{ name: 'a', indices: [0] }] })).toEqual(['an index-set split needs an axis']);
        expect(messages(['batch', 3], { axis: 1, parts: [{ name: 'rest', indices: [0] }] })[0]).toMatch(/cannot be called "rest"/);
        expect(messages(['batch', 3], { axis: 1, parts: [{ name: 'a', indices: [0] }, { name: 'a', indices: [1] }] })[0]).toMatch(/declared twice/);
    });
});

describe('predicate splits', () => {
    it('a part by src == dst - 1 on [batch, heads, dst, src] leaves a rest and is not empty', () => {
        const s = checkSplit('h', info(['batch', 2, 4, 4]), { parts: [prevPart] });
        expect(s.problems).toEqual([]);
        expect(s.parts[0].coverage).toEqual({ kind: 'part', part: prevPart });
        expect(s.rest?.kind).toBe('rest');
    });

    it('a predicate no element satisfies is an empty part; two predicates may overlap', () => {
        const never: PartSpec = { name: 'never', axes: [2, 3], vars: ['dst', 'src'], predicate: { kind: 'binary', op: '>', left: ref('src'), right: num(9) } };
        expect(messages(['batch', 2, 4, 4], { parts: [never] })).toEqual(['part "never" covers no element of "attn" of shape [batch, 2, 4, 4]']);
        const diagonal: PartSpec = { name: 'diag', axes: [2, 3], vars: ['d', 's'], predicate: { kind: 'binary', op: '<=', left: ref('s'), right: ref('d') } };
        expect(messages(['batch', 2, 4, 4], { parts: [prevPart, diagonal] })).toEqual(['parts "prev" and "diag" overlap: parts must not share elements']);
    });

    it('report predicates that are not boolean, use unknown names, or mismatch axes and variables', () => {
        expect(messages(['batch', 4, 4], { parts: [{ name: 'p', axes: [1, 2], vars: ['d', 's'], predicate: ref('d') }] }))
            .toEqual(['part "p": the predicate gives a number, not a boolean']);
        expect(messages(['batch', 4, 4], { parts: [{ name: 'p', axes: [1, 2], vars: ['d', 's'], predicate: { kind: 'binary', op: '==', left: ref('x'), right: num(0) } }] })[0])
            .toMatch(/"x" is not an index variable/);
        expect(messages(['batch', 4, 4], { parts: [{ ...prevPart, axes: [1] }] })[0]).toMatch(/1 axes but 2 index variables/);
    });
});

describe('coverage masks', () => {
    it('mark the elements of an index part along its axis, for one example', () => {
        expect([...coverageMask({ kind: 'part', part: { name: 'p', indices: [-1] }, axis: 2 }, [5, 2, 3])]).toEqual([0, 0, 1, 0, 0, 1]);
        expect([...coverageMask({ kind: 'part', part: { name: 'p', indices: [0] }, axis: 1 }, [5, 2, 3])]).toEqual([1, 1, 1, 0, 0, 0]);
    });

    it('mark the elements a predicate holds for, and the rest as everything else', () => {
        expect([...coverageMask({ kind: 'part', part: prevPart }, [1, 1, 3, 3])]).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0]);
        expect([...coverageMask({ kind: 'rest', split: { parts: [prevPart] } }, [1, 1, 3, 3])]).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1]);
        expect([...coverageMask({ kind: 'all' }, [7, 2])]).toEqual([1, 1]);
    });

    it('index predicates support arithmetic, Python-style modulo, conditionals and abs/min/max', () => {
        const p = compileIndexPredicate({
            kind: 'binary', op: 'and',
            left: { kind: 'binary', op: '==', left: { kind: 'binary', op: '%', left: { kind: 'binary', op: '-', left: ref('i'), right: num(1) }, right: num(3) }, right: num(2) },
            right: { kind: 'binary', op: '<', left: { kind: 'call', callee: 'abs', args: [{ kind: 'unary', op: '-', arg: ref('i') }] }, right: num(5) },
        }, ['i']);
        if ('error' in p) throw new Error(p.error);
        expect([0, 1, 2, 3, 4, 5, 6].filter(i => p.test([i]))).toEqual([0, 3]);
        expect(compileIndexPredicate({ kind: 'call', callee: 'len', args: [] }, [])).toEqual({ error: expect.stringMatching(/can call abs/) });
    });
});

describe('split hook points in G', () => {
    it('a predicate split makes part nodes and a rest node covering the same tensor', () => {
        const b = new GraphBuilder('attn');
        b.input('x', 'float32', ['batch', 3, 3]);
        b.node('Relu', ['x'], [{ name: 'attn', dtype: 'float32', dims: ['batch', 3, 3] }]);
        b.node('Neg', ['attn'], [{ name: 'y', dtype: 'float32', dims: ['batch', 3, 3] }]);
        b.output('y');
        const graph = modelGraphFromProto(b.build(), 'attn.onnx');
        const part: PartSpec = { ...prevPart, axes: [1, 2] };
        const { g, problems } = deriveG(graph, { hooks: [{ name: 'attn', tensor: 'attn', split: { parts: [part] } }] });
        expect(problems).toEqual([]);
        expect(g.nodesOfTensor('attn')).toEqual(['attn.prev', 'attn.rest']);
        expect(g.parents('output')).toEqual(['attn.prev', 'attn.rest']);
        expect(g.parents('attn.prev')).toEqual(['input']);
    });
});
