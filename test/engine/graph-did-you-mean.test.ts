import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../engine/graph/did-you-mean.js';

describe('did-you-mean', () => {
    it('edit distance counts insertions, deletions and substitutions', () => {
        expect(editDistance('kitten', 'sitting')).toBe(3);
        expect(editDistance('', 'abc')).toBe(3);
        expect(editDistance('same', 'same')).toBe(0);
    });

    it('suggests the closest name, preferring a case-only difference', () => {
        expect(closestName('logit', ['logits', 'loss'])).toBe('logits');
        expect(closestName('a', ['A', 'b'])).toBe('A');
    });

    it('allows more edits in longer names, and suggests nothing far away', () => {
        expect(closestName('/layers.1/attn/Softmax_out', ['/layers.1/attn/Softmax_output_0', '/layers.0/attn/Softmax_output_0']))
            .toBe('/layers.1/attn/Softmax_output_0');
        expect(closestName('residual', ['A', 'B', 'logits'])).toBeUndefined();
    });

    it('breaks ties alphabetically, so the suggestion does not depend on file order', () => {
        expect(closestName('h', ['hb', 'ha'])).toBe('ha');
        expect(closestName('h', ['ha', 'hb'])).toBe('ha');
    });
});
