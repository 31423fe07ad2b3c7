// `hyp challenge FILE.hyp --hypothesis H`: check, prepare once, scrub H and its refinements, print
// the verdict and the top K refinements as hypothesis blocks on stdout; each scrub goes to stderr.
import { checkGraphNodes, inHypothesis } from '../engine/scrub.js';
import { challenge, FLAG_RULE, type ChallengeResult } from '../engine/explore/challenge.js';
import { dropText, refinementToHyp } from '../engine/explore/challenge-text.js';
import { edgeCount } from '../engine/explore/discover.js';
import { scoreText } from '../engine/explore/discover-text.js';
import { unusedName } from '../engine/explore/hypothesis-text.js';
import { startHypothesis } from '../engine/explore/identity.js';
import { withPreparedFile, type SearchCommandOptions } from './prepared-file.js';

export interface ChallengeCommandOptions extends SearchCommandOptions {
    hypothesis: string;
    budget?: number;
    top: number;
}

export function challengeCommand(file: string, opts: ChallengeCommandOptions): Promise<number> {
    return withPreparedFile(file, opts, async (spec, prepared, signal) => {
        const h = startHypothesis(spec, prepared.g, opts.hypothesis);
        checkGraphNodes(prepared.g, h);
        const result = await challenge(prepared, h, {
            budget: opts.budget, samples: opts.samples, seed: opts.seed, memoryBudget: opts.memoryBudget, threads: opts.threads,
            signal,
            onRefinement: (r, done, planned) => console.error(`  [${done}/${planned}] ${r.description}: ${scoreText(r.score)}, ${dropText(r)}`),
        }).catch(e => { throw inHypothesis(e, h); });
        const top = result.refinements.slice(0, opts.top);
        const taken = spec.hypotheses.map(x => x.name);
        const blocks = top.map((r, i) => {
            const name = unusedName(`${h.name}_refined${i + 1}`, taken);
            taken.push(name);
            return refinementToHyp(result, r, name);
        });
        if (opts.json) {
            const strip = (r: ChallengeResult['refinements'][number]) => ({ kind: r.kind, node: r.node, with: r.with, description: r.description, score: r.score, drop: r.drop, dropSe: r.dropSe });
            console.log(JSON.stringify({
                file, hypothesis: h.name, edges: edgeCount(h), nodes: h.nodes.length - 1, score: result.score, flagged: result.flagged, rule: FLAG_RULE,
                counter: result.counter && strip(result.counter), refinements: result.refinements.map(strip), strongerClaims: result.strongerClaims.map(strip),
                candidates: result.candidates, unscrubbed: result.unscrubbed, samples: result.samples, seed: result.seed,
                scrubs: result.scrubs, seconds: result.seconds, top: blocks,
            }, null, 2));
        } else {
            console.log(verdict(result));
            for (const b of blocks) console.log(`\n${b}`);
            if (result.strongerClaims.length > 0) {
                console.log('\nStronger claims (not implied by the hypothesis: what each claimed edge carries; never a flag):');
                for (const r of result.strongerClaims.slice(0, opts.top)) console.log(`  ${r.description}: ${scoreText(r.score)}, ${dropText(r)}`);
            }
        }
        return 0;
    });
}

function verdict(r: ChallengeResult): string {
    const head = `${r.hypothesis.name}: ${scoreText(r.score)}. ${r.refinements.length} implied refinements and ${r.strongerClaims.length} stronger claims scrubbed`
        + `${r.unscrubbed > 0 ? ` (${r.unscrubbed} left by the budget)` : ''}: ${r.scrubs} scrubs, ${r.seconds.toFixed(1)} s, ${r.samples} samples, seed ${r.seed}.`;
    const v = r.counter !== undefined
        ? `FLAGGED: ${r.counter.description} gives ${scoreText(r.counter.score)}, ${dropText(r.counter)}.`
        : r.refinements.length === 0 ? 'Not challenged: no node has a feature to refine.'
            : `Not flagged: the best refinement, ${r.refinements[0].description}, gives ${scoreText(r.refinements[0].score)}, ${dropText(r.refinements[0])}.`;
    return `${head}\n${v}\nRule: ${FLAG_RULE}.`;
}
