// An exploration job in the scrub worker (the editor's "Find a smaller circuit from here" and
// "Challenge this hypothesis"): the spec prepared once, the search run on it with progress, and
// the outcome as the `.hyp` text the CLI prints, to insert below the hypothesis.
import { errorFields, HypError } from '../errors.js';
import { challenge } from '../explore/challenge.js';
import { refinementToHyp } from '../explore/challenge-text.js';
import { discover, edgeCount } from '../explore/discover.js';
import { discoverResultToHyp, scoreText } from '../explore/discover-text.js';
import { unusedName } from '../explore/hypothesis-text.js';
import { startHypothesis } from '../explore/identity.js';
import { prepareScrub } from '../prepare.js';
import { checkGraphNodes } from '../scrub.js';
import type { ScrubSpec } from '../spec.js';
import type { ExploreOutcome, FromWorker, WorkerExploreOptions } from './protocol.js';

/** Refinements a challenge from the editor inserts (the CLI's --top default). */
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
            const run = { samples: options.samples, seed: options.seed, threads: options.threads, signal };
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
                const best = r.counter ?? r.refinements[0];
                const verdict = r.flagged ? `flagged: ${best!.description} gives ${scoreText(best!.score)}`
                    : best ? `not flagged: the best refinement (${best.description}) gives ${scoreText(best.score)}` : 'nothing to refine (no node has a feature)';
                const taken = spec.hypotheses.map(x => x.name);
                const blocks = r.refinements.slice(0, TOP).map((x, i) => {
                    const name = unusedName(`${h.name}_refined${i + 1}`, taken);
                    taken.push(name);
                    return refinementToHyp(r, x, name);
                });
                outcome = {
                    kind: 'challenge', hypothesis: h.name,
                    text: [`// hyp challenge ${h.name}: ${scoreText(r.score)}, ${verdict} (${r.scrubs} scrubs, ${r.samples} samples, seed ${r.seed})`, ...blocks].join('\n\n'),
                    summary: `${h.name}: ${verdict}`,
                };
            }
            post({ type: 'explored', id, outcome });
        } finally {
            await prepared.dispose();
        }
    } catch (e) {
        post({ type: 'error', id, error: errorFields(e) });
    }
}
