// The writer of hypotheses as .hyp text: every hypothesis of the bundled examples (features with
// lambdas, conditionals, slices, lists, negative numbers, input parts), lowered, written back and
// lowered again, is the same spec.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exprToHyp, hypothesisToHyp, unusedName } from '../../../engine/explore/hypothesis-text.js';
import type { Expr } from '../../../engine/spec.js';
import { parse, services, toyUri } from '../../language/helpers.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');

async function lower(text: string, dir: string) {
    const doc = await parse(text, { documentUri: toyUri(dir) });
    expect(doc.parseResult.parserErrors).toEqual([]);
    return services.lowering.HypLowering.lower(doc);
}

describe('writing a lowered hypothesis back as .hyp text', () => {
    for (const file of ['toy/toy.hyp', 'paren/paren.hyp', 'induction/induction.hyp', 'paren/explore/variants.hyp']) {
        it(`round-trips every hypothesis of ${file}`, async () => {
            const dir = resolve(EXAMPLES, file, '..');
            const text = readFileSync(resolve(EXAMPLES, file), 'utf8');
            const spec = await lower(text, dir);
            expect(spec.hypotheses.length).toBeGreaterThan(0);
            const written = spec.hypotheses.map(h => hypothesisToHyp({ ...h, name: `${h.name}_again` }, { header: ['a comment'], notes: new Map([['output', ['a note']]]) }));
            const again = await lower(`${text}\n${written.join('\n\n')}\n`, dir);
            for (const h of spec.hypotheses) {
                const back = again.hypotheses.find(x => x.name === `${h.name}_again`)!;
                expect(back.nodes).toEqual(h.nodes);
            }
        });
    }

    it('parenthesises by precedence, and only there', async () => {
        const ref = (name: string): Expr => ({ kind: 'ref', name });
        const num = (value: number): Expr => ({ kind: 'number', value });
        const cases: [Expr, string][] = [
            [{ kind: 'binary', op: '*', left: { kind: 'binary', op: '+', left: ref('a'), right: num(1) }, right: ref('b') }, '(a + 1) * b'],
            [{ kind: 'binary', op: '-', left: ref('a'), right: { kind: 'binary', op: '-', left: ref('b'), right: ref('c') } }, 'a - (b - c)'],
            [{ kind: 'binary', op: '-', left: { kind: 'binary', op: '-', left: ref('a'), right: ref('b') }, right: ref('c') }, 'a - b - c'],
            [{ kind: 'unary', op: 'not', arg: { kind: 'binary', op: 'and', left: ref('p'), right: ref('q') } }, 'not (p and q)'],
            [{ kind: 'binary', op: '==', left: { kind: 'binary', op: '<', left: ref('a'), right: ref('b') }, right: ref('c') }, '(a < b) == c'],
            [{ kind: 'index', target: { kind: 'unary', op: '-', arg: ref('xs') }, index: num(-1) }, '(-xs)[-1]'],
            [{ kind: 'conditional', test: ref('p'), then: { kind: 'conditional', test: ref('q'), then: num(1), else: num(2) }, else: num(3) }, '(1 if q else 2) if p else 3'],
            [{ kind: 'number', value: 1e-7 }, '1e-7'],
        ];
        for (const [e, text] of cases) expect(exprToHyp(e)).toBe(text);
        // And the parser reads each back as the same expression.
        const body = cases.map(([, t], i) => `    node n${i} -> A = ${t.replaceAll('xs', 'z').replace(/\b[abcpq]\b/g, 'z')} <- input.z1`).join('\n');
        await lower(`model "toy_or.onnx"\ndataset "toy_or.jsonl" { input x = z label y }\ngraph { split input axis 1 { z1: 0 } node A = "A" }\nmetric cross_entropy\nhypothesis h {\n${body}\n    output\n}\n`, resolve(EXAMPLES, 'toy'));
    });
});

describe('names for what the searches write', () => {
    it('the base when free, then a number; a base ending in a digit takes _2, so refined1 again is not refined12', () => {
        expect(unusedName('h_smaller', ['h'])).toBe('h_smaller');
        expect(unusedName('h_smaller', ['h_smaller', 'h_smaller2'])).toBe('h_smaller3');
        expect(unusedName('only_a_refined1', ['only_a_refined1'])).toBe('only_a_refined1_2');
        expect(unusedName('only_a_refined1', ['only_a_refined1', 'only_a_refined1_2'])).toBe('only_a_refined1_3');
    });
});
