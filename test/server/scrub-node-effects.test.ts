// The one-claim variants behind the inlay hints: which nodes are pinned and how their children
// still read their feature; and splitting a job's results back into the hypothesis and its nodes.
import { describe, expect, test } from 'vitest';
import type { ScrubResult } from '../../engine/result.js';
import type { Expr } from '../../engine/spec.js';
import { nodeEffectVariants, readPinnedParents, splitNodeEffects } from '../../server/scrub/node-effects.js';
import { correct, spec } from '../fixtures/toy-spec.js';

const ref = (name: string): Expr => ({ kind: 'ref', name });

describe('node effects', () => {
    test('one variant per node with a feature; the others are pinned to the model inputs and read as parent[0]', () => {
        const variants = nodeEffectVariants(correct, spec.dataset);
        expect(variants.map(v => v.name)).toEqual(['correct#alone:a', 'correct#alone:b', 'correct#alone:d']);
        const aloneA = variants[0];
        const [a, b, d, out] = aloneA.nodes;
        expect(a).toEqual(correct.nodes[0]);
        expect(b.feature).toEqual({ kind: 'list', items: [correct.nodes[1].feature, { kind: 'list', items: [ref('z')] }] });
        // d reads a as it is and b through the pin.
        expect(d.feature).toEqual({ kind: 'list', items: [
            { kind: 'binary', op: 'or', left: ref('a'), right: { kind: 'index', target: ref('b'), index: { kind: 'number', value: 0 } } },
            { kind: 'list', items: [ref('z')] },
        ] });
        expect(out).toEqual(correct.nodes[3]);
        expect(aloneA.options).toEqual(correct.options);
    });

    test('a lambda parameter that shadows a pinned node is left alone', () => {
        const e: Expr = { kind: 'call', callee: 'map', args: [ref('xs'), { kind: 'lambda', params: ['a'], body: ref('a') }] };
        expect(readPinnedParents(e, new Set(['a', 'xs']))).toEqual({
            kind: 'call', callee: 'map',
            args: [{ kind: 'index', target: ref('xs'), index: { kind: 'number', value: 0 } }, { kind: 'lambda', params: ['a'], body: ref('a') }],
        });
    });

    test('a job\'s results split into the hypothesis\'s own and each node\'s effect', () => {
        const r = (hypothesis: string, lossRecovered: number) => ({ hypothesis, lossRecovered, ci95: [lossRecovered - 0.01, lossRecovered + 0.01] }) as ScrubResult;
        const { own, effects } = splitNodeEffects('h', [r('h', 0.8), r('h#alone:a', 0.5), r('h#alone:b', 0.9)]);
        expect(own?.lossRecovered).toBe(0.8);
        expect(effects).toEqual({ a: { lossRecovered: 0.5, ci95: [0.49, 0.51] }, b: { lossRecovered: 0.9, ci95: [0.89, 0.91] } });
    });
});
