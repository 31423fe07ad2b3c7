// Where the staged rerun of a fused chunk with a NaN finds none (the fused graph computed
// something the staged functions do not), the error says the fused graph made it, in which chunk,
// and to scrub staged. The staged executor is replaced by one that finds nothing: in a fused scrub
// without the self-check, the diagnosis is its only caller.
import { describe, expect, it, vi } from 'vitest';
import { HypError } from '../../engine/errors.js';
import { scrub } from '../../engine/scrub.js';
import { nanProductSpec } from '../fixtures/nan-product-model.js';

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../engine/execute/executor.js', async importOriginal => {
    const original = await importOriginal<typeof import('../../engine/execute/executor.js')>();
    return {
        ...original,
        executePlan: async (...args: Parameters<typeof original.executePlan>) => {
            calls.n++;
            return new original.ActivationStore(args[0].table.size);
        },
    };
});

describe('a NaN only the fused graph makes', () => {
    it('is reported as the fused graph\'s, with its chunk of roots, suggesting --exec staged', async () => {
        const e = await scrub(nanProductSpec(), { exec: 'fused', threads: 1, selfCheck: false, chunkSize: 16 }).then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(HypError);
        const err = e as HypError;
        console.log(err.format());
        expect(calls.n).toBe(1);
        expect(err.code).toBe('non-finite-activation');
        expect(err.message).toMatch(/^hypothesis mixed: the fused graph produced NaN in tensor logits on scrubbed inputs in the chunk of roots \d+–\d+; the staged executor, rerun on that chunk, finds no NaN or infinity/);
        expect(err.hint).toMatch(/scrub with --exec staged$/);
    }, 60_000);
});
