// Issue 15's "both commands work on every bundled example": on each example file, discover from the
// identity (the default start) and a challenge of every hypothesis of the file, on a few roots and
// a small budget, as `hyp check` accepted it. What must hold: no error, the identity recovers
// everything, the found hypothesis is no larger than the start, every refinement of a challenge
// carries its number and CI, and both texts check and lower again (they are meant to be pasted).
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { challenge } from '../../engine/explore/challenge.js';
import { refinementToHyp } from '../../engine/explore/challenge-text.js';
import { discover, edgeCount } from '../../engine/explore/discover.js';
import { discoverResultToHyp } from '../../engine/explore/discover-text.js';
import { unusedName } from '../../engine/explore/hypothesis-text.js';
import { startHypothesis } from '../../engine/explore/identity.js';
import { prepareScrub } from '../../engine/prepare.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { checkHypFile } from '../../language/check-file.js';

const EXAMPLES = [
    'examples/toy/toy.hyp', 'examples/paren/paren.hyp', 'examples/paren/explore/features.hyp', 'examples/paren/explore/heads.hyp',
    'examples/paren/explore/positions.hyp', 'examples/paren/explore/variants.hyp', 'examples/induction/induction.hyp',
    'examples/torch-export/tiny_gpt.hyp', 'examples/torch-export/per_head_wo.hyp', 'examples/torch-export/mlp_readout.hyp',
];

const copies: string[] = [];
afterAll(() => copies.forEach(d => rmSync(d, { recursive: true, force: true })));

/** A copy of the example's folder under examples/ (the texts are appended to the copy), and the copy's file. */
function copyOf(file: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-explore-all-'));
    copies.push(dir);
    const example = file.split('/').slice(0, 2).join('/');
    cpSync(example, dir, { recursive: true });
    return join(dir, relative(example, file));
}

async function accepted(path: string) {
    const r = await checkHypFile(path, { prober: probeModelFile });
    expect(r.diagnostics.filter(d => d.severity === 'error'), path).toEqual([]);
    return r.spec!;
}

describe.each(EXAMPLES)('discover and challenge on %s', file => {
    it('run, and what they print checks and lowers', async () => {
        const path = copyOf(file);
        const spec = await accepted(path);
        const prepared = await prepareScrub(spec, { ep: 'cpu', threads: 1 });
        const texts: string[] = [];
        try {
            const start = startHypothesis(spec, prepared.g, undefined);
            const found = await discover(prepared, start, { samples: 8, threshold: 0.9, rule: 'point', name: 'found_here' });
            expect(found.startScore.lossRecovered).toBeCloseTo(1, 6);
            expect(edgeCount(found.found)).toBeLessThanOrEqual(edgeCount(start));
            texts.push(discoverResultToHyp(found));
            for (const h of spec.hypotheses) {
                const r = await challenge(prepared, h, { samples: 8, budget: 2 });
                const scored = [...r.refinements, ...r.strongerClaims];
                expect(scored.length + r.unscrubbed, h.name).toBe(r.candidates);
                for (const ref of scored) {
                    expect(Number.isFinite(ref.score.lossRecovered), `${h.name}: ${ref.description}`).toBe(true);
                    expect(ref.score.ci95[0]).toBeLessThanOrEqual(ref.score.ci95[1]);
                }
                if (scored[0]) texts.push(refinementToHyp(r, scored[0], unusedName(`${h.name}_challenged`, spec.hypotheses.map(x => x.name))));
            }
        } finally {
            await prepared.dispose();
        }
        appendFileSync(path, `\n${texts.join('\n\n')}\n`);
        const again = await accepted(path);
        expect(again.hypotheses.length).toBe(spec.hypotheses.length + texts.length);
    });
});
