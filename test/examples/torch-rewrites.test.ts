// The rewrite examples on the raw torch export (examples/torch-export/per_head_wo.hyp and
// mlp_readout.hyp) check clean, and scrub as examples/RESULTS.md says: identity through the
// rewrites exactly 100%, and a claim after W_O equal, root for root, to the same claim on att @ v
// in tiny_gpt.hyp (a head's map to its output is linear, so the two claims are one).
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';

const DIR = resolve(import.meta.dirname, '../../examples/torch-export');
const prepared: PreparedScrub[] = [];
afterAll(async () => { for (const p of prepared) await p.dispose(); });

async function load(file: string) {
    const r = await checkHypFile(resolve(DIR, file), { prober: probeModelFile });
    expect(r.diagnostics).toEqual([]);
    const p = await prepareScrub(r.spec!, { ep: 'cpu', threads: 1 });
    prepared.push(p);
    const h = (name: string) => r.spec!.hypotheses.find(x => x.name === name)!;
    return { p, h };
}

describe('examples/torch-export rewrites', () => {
    it('per_head_wo.hyp: identity 100% exactly, and head 1.1 after W_O is tiny_gpt.hyp\'s l1_head1 root for root', async () => {
        const wo = await load('per_head_wo.hyp');
        const plain = await load('tiny_gpt.hyp');
        expect((await scrubHypothesis(wo.p, wo.h('identity'), { samples: 200 })).lossRecovered).toBe(1);
        const a = await scrubHypothesis(wo.p, wo.h('l1_head1_wo'), { samples: 300, perExample: true });
        const b = await scrubHypothesis(plain.p, plain.h('l1_head1'), { samples: 300, perExample: true });
        expect(a.perExample!.scrubbed.length).toBe(300);
        a.perExample!.scrubbed.forEach((s, i) => expect(s).toBeCloseTo(b.perExample!.scrubbed[i], 4));
    }, 120_000);

    it('mlp_readout.hyp: identity 100% exactly, the readout subspace alone keeps almost everything, the complement alone does not', async () => {
        const { p, h } = await load('mlp_readout.hyp');
        expect((await scrubHypothesis(p, h('identity'), { samples: 200 })).lossRecovered).toBe(1);
        expect((await scrubHypothesis(p, h('readout_only'), { samples: 400 })).lossRecovered).toBeGreaterThan(0.99);
        expect((await scrubHypothesis(p, h('rest_only'), { samples: 400 })).lossRecovered).toBeLessThan(0.8);
    }, 120_000);
});
