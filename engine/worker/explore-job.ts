// An exploration job in the scrub worker (the editor's "Find a smaller circuit from here" and
// "Challenge this hypothesis"): the spec prepared once, the search run on it with progress, and
// the outcome as the `.hyp` text the CLI prints, to insert below the hypothesis.
import { errorFields, HypError } from '../errors.js';
import { challenge, counts, FLAG_RULE, type ChallengeResult } from '../explore/challenge.js';
import { refinementToHyp } from '../explore/challenge-text.js';
import { discover, edgeCount } from '../explore/discover.js';
import { discoverResultToHyp, scoreText } from '../explore/discover-text.js';
import { unusedName } from '../explore/hypothesis-text.js';
import { startHypothesis } from '../explore/identity.js';
import { prepareScrub } from '../prepare.js';
import { checkGraphNodes } from '../scrub.js';
import type { ScrubSpec } from '../spec.js';
import type { ChallengeReport, ExploreOutcome, FromWorker, WorkerExploreOptions } from './protocol.js';

/** Refinements a challenge from the editor inserts or shows (the CLI's --top default). */
const TOP = 3;

/** Runs one exploration job and reports its outcome or error; never throws. */
export async function runExploreJob(id: number, spec: ScrubSpec, options: WorkerExploreOptions, post: (m: FromWorker) => void, signal?: AbortSignal): Promise<void> {
    try {
        if (spec.featuresModule && !options.allowFeaturesModule) {
            throw new HypError(`the features module ${spec.featuresModule} is user code and this workspace is not trusted`, 'untrusted-features');
        }
        const prepared = await prepareScrub(spec, { ep: options.ep, threads: options.threads });
        try {
            const h = startHypothesis(spec, prepared.g, options.hypothesis);
            checkGraphNodes(prepared.g, h);
            const progress = (fraction: number) => post({ type: 'progress', id, hypothesis: h.name, fraction, index: 0, count: 1 });
            const run = { samples: options.samples, seed: options.seed, threads: options.threads, exec: options.exec, deviceMemory: options.deviceMemory, signal };
            let outcome: ExploreOutcome;
            if (options.kind === 'discover') {
                const total = edgeCount(h) + 1;
                const r = await discover(prepared, h, { ...run, name: options.name, onTrial: (_, done) => progress(Math.min(0.99, (done + 1) / total)) });
                outcome = {
                    kind: 'discover', hypothesis: h.name, text: discoverResultToHyp(r),
                    summary: `${options.name}: ${scoreText(r.foundScore)} with ${edgeCount(r.found)} of ${edgeCount(h)} I-edges (${r.scrubs} scrubs, ${r.seconds.toFixed(1)} s)`,
                };
            } else {
                const r = await challenge(prepared, h, { ...run, onRefinement: (_, done, planned) => progress(Math.min(0.99, done / planned)) });
                outcome = challengeOutcome(r, spec.hypotheses.map(x => x.name));
            }
            post({ type: 'explored', id, outcome });
        } finally {
            await prepared.dispose();
        }
    } catch (e) {
        post({ type: 'error', id, error: errorFields(e) });
    }
}

/**
 * A challenge's outcome: the text a plain editor inserts (the verdict as a comment, the best TOP
 * refinements as blocks) and the same as data for a result view, where the counter-refinement is
 * listed too when a larger but noisier drop keeps it out of the top TOP.
 */
export function challengeOutcome(r: ChallengeResult, taken: string[]): ExploreOutcome {
    const h = r.hypothesis;
    const best = r.counter ?? r.refinements[0];
    const verdict = r.flagged ? `flagged: ${best!.description} gives ${scoreText(best!.score)}`
        : best ? `not flagged: the best refinement (${best.description}) gives ${scoreText(best.score)}` : 'nothing to refine (no node has a feature)';
    const names = [...taken];
    const shown = r.refinements.slice(0, TOP);
    if (r.counter && !shown.includes(r.counter)) shown.push(r.counter);
    const refinements = shown.map(x => {
        const name = unusedName(`${h.name}_refined${r.refinements.indexOf(x) + 1}`, names);
        names.push(name);
        return {
            name, description: x.description, score: x.score, drop: x.drop, dropSe: x.dropSe,
            counts: counts(x, r.score, r.refinements.length), text: refinementToHyp(r, x, name),
        };
    });
    const report: ChallengeReport = {
        hypothesis: h.name, score: r.score, flagged: r.flagged, verdict, rule: FLAG_RULE, refinements,
        scrubbedRefinements: r.refinements.length, candidates: r.candidates, unscrubbed: r.unscrubbed,
        samples: r.samples, seed: r.seed, scrubs: r.scrubs, seconds: r.seconds,
    };
    return {
        kind: 'challenge', hypothesis: h.name,
        text: [`// hyp challenge ${h.name}: ${scoreText(r.score)}, ${verdict} (${r.scrubs} scrubs, ${r.samples} samples, seed ${r.seed})`,
            ...refinements.slice(0, TOP).map(x => x.text)].join('\n\n'),
        summary: `${h.name}: ${verdict}`,
        challenge: report,
    };
}
