// One random case scrubbed by the engine and by the reference, and how far apart they are in
// standard errors (each side's σ from its own per-root values, combined). Shared by the property
// test (fixed seeds) and bench/reference-agreement.ts (a longer run).
import { isScore } from '../../engine/score/behaviours.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { lossRecoveredEstimate, mean, sigmaOfMean } from '../fixtures/estimates.js';
import { randomCase, type CaseChoices, type RandomCase } from './random-case.js';
import { referenceScrub } from './reference-scrubber.js';

export const ROOTS = 1000;

export interface Agreement {
    choices: CaseChoices;
    case: RandomCase;
    /** Engine and reference estimates, their combined σ, and |difference| / σ. */
    compared: { what: string; engine: number; reference: number; sigma: number; z: number }[];
}

/** Scrubs the case both ways and compares E_scrubbed, E_random and (except for label-free scores) loss recovered. */
export async function agreement(choices: CaseChoices): Promise<Agreement> {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-refcase-'));
    try {
        const c = randomCase(choices, dir);
        const prepared = await prepareScrub(c.spec, { ep: 'cpu', threads: 1 });
        let engine;
        try {
            engine = (await scrubHypothesis(prepared, c.hypothesis, { samples: ROOTS, perExample: true })).perExample!;
        } finally {
            await prepared.dispose();
        }
        // The engine's per-root values are in the metric's units: scores back to losses.
        const sign = isScore(c.spec.metric) ? -1 : 1;
        const e = { clean: engine.clean.map(v => sign * v), scrubbed: engine.scrubbed.map(v => sign * v), random: engine.random.map(v => sign * v) };
        const ref = referenceScrub(c, c.hypothesis, c.spec.metric, ROOTS, choices.seed);
        const compared: Agreement['compared'] = [];
        const add = (what: string, a: { value: number; sigma: number }, b: { value: number; sigma: number }) => {
            // A floor for float32 against float64 arithmetic, where no draw makes a value random.
            const sigma = Math.max(Math.hypot(a.sigma, b.sigma), 1e-5 * (1 + Math.abs(b.value)));
            compared.push({ what, engine: a.value, reference: b.value, sigma, z: Math.abs(a.value - b.value) / sigma });
        };
        const m = (v: number[]) => ({ value: mean(v), sigma: sigmaOfMean(v) });
        add('E_scrubbed', m(e.scrubbed), m(ref.scrubbed));
        add('E_random', m(e.random), m(ref.random));
        add('E_clean', m(e.clean), m(ref.clean));
        // A label-free score's random baseline has the clean expectation: its loss recovered is noise.
        if (c.spec.metric.kind !== 'logit_diff') add('loss recovered', lossRecoveredEstimate(e), lossRecoveredEstimate(ref));
        return { choices, case: c, compared };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** A readable line per case, for failures and the bench. */
export function describeAgreement(a: Agreement): string {
    const h = a.case.hypothesis;
    const nodes = h.nodes.map(n => `${n.name}->${n.graphNode}${n.feature === null ? '' : '=f'}<-[${n.parents.join(',')}]`).join(' ');
    const worst = a.compared.reduce((w, c) => (c.z > w.z ? c : w));
    return `seed ${a.choices.seed} ${a.choices.metric}/${a.choices.ablation}/${a.choices.unimportant}: ${nodes} | worst ${worst.what} engine ${worst.engine.toFixed(4)} reference ${worst.reference.toFixed(4)} (${worst.z.toFixed(2)} σ)`;
}
