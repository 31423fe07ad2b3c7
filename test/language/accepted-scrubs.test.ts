// No error a scrub can raise is reachable from a file `hyp check` accepted: random user edits of the
// bundled toy and raw-PyTorch-export files (bench/accepted-mutations.ts), each accepted one
// scrubbed on a few roots. `npm run bench:accepted` runs many more, on every bundled file.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scrubAcceptedMutants } from '../../bench/accepted-mutations.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');

describe('what hyp check accepts, a scrub runs', () => {
    it('on 60 mutants of the toy and 25 of the PyTorch export (fixed seeds)', async () => {
        const run = await scrubAcceptedMutants([resolve(EXAMPLES, 'toy/toy.hyp')], { mutants: 60, seed: 1, samples: 8 });
        const torch = await scrubAcceptedMutants([resolve(EXAMPLES, 'torch-export/tiny_gpt.hyp')], { mutants: 25, seed: 1000, samples: 16 });
        expect([...run.findings, ...torch.findings]).toEqual([]);
        // The mutants must reach the scrub, or the test checks nothing.
        expect(run.scrubbed).toBeGreaterThanOrEqual(10);
        expect(torch.scrubbed).toBeGreaterThanOrEqual(5);
    }, 240_000);
});
