// Known answers for the searches on hand-built models (test/fixtures/planted-models.ts), through
// `hyp check` as a user would: discover recovers a planted circuit's edges, what it prints is a
// hypothesis the checker accepts and lowers to what it found, and challenge flags a hypothesis
// that scores above 95% with a feature wrong on a 20% subpopulation, and not the true one.
import { appendFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { challenge } from '../../../engine/explore/challenge.js';
import { discover, edgeCount } from '../../../engine/explore/discover.js';
import { discoverResultToHyp } from '../../../engine/explore/discover-text.js';
import { refinementToHyp } from '../../../engine/explore/challenge-text.js';
import { identityHypothesis } from '../../../engine/explore/identity.js';
import { prepareScrub } from '../../../engine/prepare.js';
import type { HypothesisSpec } from '../../../engine/spec.js';
import { checkHypFile } from '../../../language/check-file.js';
import { probeModelFile } from '../../../engine/runtime/probe-model.js';
import { PLANTED_EDGES, PLANTED_FP, removePlanted, writePlanted } from '../../fixtures/planted-models.js';

afterAll(removePlanted);

/** Every I-edge as `parent G node -> child G node`. */
function edges(h: HypothesisSpec): Set<string> {
    const graphNode = new Map(h.nodes.map(n => [n.name, n.graphNode]));
    return new Set(h.nodes.flatMap(n => n.parents.map(p => `${graphNode.get(p) ?? p} -> ${n.graphNode}`)));
}

async function checked(path: string) {
    const r = await checkHypFile(path, { prober: probeModelFile });
    expect(r.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    return r;
}

describe('discover on a planted circuit', () => {
    it('recovers the planted edges from the identity (precision and recall ≥ 0.9), and its text checks and lowers to what it found', async () => {
        const path = writePlanted('circuit');
        const { spec } = await checked(path);
        const prepared = await prepareScrub(spec!, { ep: 'cpu', threads: 1 });
        try {
            const start = identityHypothesis(prepared.g, 'identity', spec!.hypotheses[0].options);
            expect(edgeCount(start)).toBe(23);
            // The identity recovers everything, exactly.
            const r = await discover(prepared, start, { threshold: 0.9, rule: 'ci', name: 'found' });
            expect(r.startScore).toEqual({ lossRecovered: 1, ci95: [1, 1] });
            const found = edges(r.found);
            const planted = new Set(PLANTED_EDGES);
            const hits = [...found].filter(e => planted.has(e)).length;
            const precision = hits / found.size, recall = hits / planted.size;
            console.log(`planted circuit: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (${found.size} edges found, ${planted.size} planted, ${r.scrubs} scrubs, ${r.seconds.toFixed(1)} s, ${r.samples} samples, seed ${r.seed})`);
            expect(precision).toBeGreaterThanOrEqual(0.9);
            expect(recall).toBeGreaterThanOrEqual(0.9);
            expect(r.foundScore.ci95[0]).toBeGreaterThanOrEqual(0.9);
            // Each tried removal is one scrub, plus the start.
            expect(r.scrubs).toBe(r.trials.length + 1);
            // The zero-weighted hooks go with the edges that read them: their own edges are never tried.
            expect(r.trials.some(t => t.child === 'E')).toBe(false);

            const text = discoverResultToHyp(r);
            expect(text).toMatch(/^\/\/ Found by hyp discover from identity: a removal is kept when the lower end of its 95% CI stays at or above 90%\./);
            expect(text).toContain('J -> output: 100.0% (95% CI 100.0–100.0); nothing reads E, G, H, I, J any more');
            appendFileSync(path, `\n${text}\n`);
            const again = await checked(path);
            // Only the hooks no hypothesis of the file claims are warned about (the found one claims the circuit's).
            expect(again.diagnostics.filter(d => d.code !== 'hook-unused')).toEqual([]);
            const lowered = again.spec!.hypotheses.find(h => h.name === 'found')!;
            expect(lowered.nodes).toEqual(r.found.nodes);
        } finally {
            await prepared.dispose();
        }
    });
});

describe('challenge on a planted false positive', () => {
    it('flags a hypothesis above 95% whose feature is wrong on a 20% subpopulation, with the subpopulation as its counter-refinement, and not the true one', async () => {
        const path = writePlanted('subpopulation');
        const { spec } = await checked(path);
        const prepared = await prepareScrub(spec!, { ep: 'cpu', threads: 1 });
        try {
            const fp = spec!.hypotheses.find(h => h.name === PLANTED_FP)!;
            const r = await challenge(prepared, fp, { budget: 20 });
            console.log(`planted false positive: ${(100 * r.score.lossRecovered).toFixed(1)}% [${r.score.ci95.map(x => (100 * x).toFixed(1)).join(', ')}]; `
                + r.refinements.map(x => `${x.description}: ${(100 * x.score.lossRecovered).toFixed(1)}% drop ${(100 * x.drop).toFixed(1)} ± ${(100 * x.dropSe).toFixed(1)}`).join('; '));
            // Derived exactly from the dataset's counts: 96.3% and 92.9% with g conjoined.
            expect(r.score.lossRecovered).toBeGreaterThan(0.95);
            expect(r.flagged).toBe(true);
            expect(r.counter!.with).toBe('g');
            expect(r.counter!.score.lossRecovered).toBeLessThan(r.score.ci95[0]);
            expect(Math.abs(r.counter!.score.lossRecovered - 0.929)).toBeLessThan(0.02);
            // The counter-refinement as text extends the hypothesis and checks.
            const text = refinementToHyp(r, r.counter!, 'counter');
            expect(text).toContain(`hypothesis counter extends ${PLANTED_FP} {\n    node a -> A = [u, g] <- input\n}`);
            appendFileSync(path, `\n${text}\n`);
            await checked(path);

            const truth = spec!.hypotheses.find(h => h.name === 'truth')!;
            const t = await challenge(prepared, truth, { budget: 20 });
            expect(t.score.lossRecovered).toBe(1);
            expect(t.flagged).toBe(false);
        } finally {
            await prepared.dispose();
        }
    });
});
