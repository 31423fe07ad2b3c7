// A NaN made inside a fused chunk's graph is reported where the staged executor reports it: the
// fused graph returns only the scrubbed outputs, so the chunk is rerun staged to find the first
// local function whose output is not finite (engine/execute/fused-executor.ts, diagnose).
import { describe, expect, it } from 'vitest';
import { scrub } from '../../engine/scrub.js';
import { nanProductSpec } from '../fixtures/nan-product-model.js';
import { hypErrorOf } from '../fixtures/hyp-error.js';

describe('non-finite values in a fused chunk', () => {
    it('are reported at the local function that made them, as the staged executor reports them', async () => {
        const s = nanProductSpec();
        const staged = await hypErrorOf(scrub(s, { exec: 'staged', threads: 1, selfCheck: false }));
        expect(staged.code).toBe('non-finite-activation');
        // H is the first local function whose output is NaN; logits, which the fused graph returns, follows it.
        expect(staged.message).toMatch(/NaN in tensor H on scrubbed inputs/);
        const fused = await hypErrorOf(scrub(s, { exec: 'fused', threads: 1, selfCheck: false }));
        expect(fused.format()).toBe(staged.format());
        expect(fused.hint).toBe(staged.hint);
    }, 60_000);
});
