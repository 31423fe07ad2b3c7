// `hyp discover FILE.hyp`: check, prepare the spec once, search for a smaller hypothesis and print
// it as a `hypothesis` block on stdout (append it to the file with `>>`); each tried removal and
// the cost go to stderr. `--json` prints one object with the block's text and every trial.
import { checkGraphNodes, inHypothesis } from '../engine/scrub.js';
import { discover, edgeCount, type DecisionRule } from '../engine/explore/discover.js';
import { discoverResultToHyp, ruleText, scoreText } from '../engine/explore/discover-text.js';
import { unusedName } from '../engine/explore/hypothesis-text.js';
import { startHypothesis } from '../engine/explore/identity.js';
import { withPreparedFile, type SearchCommandOptions } from './prepared-file.js';

export interface DiscoverCommandOptions extends SearchCommandOptions {
    from?: string;
    name?: string;
    /** null: not used (a metric tolerance alone, ACDC's rule). */
    threshold: number | null;
    metricTolerance: number | null;
    rule: DecisionRule;
}

export function discoverCommand(file: string, opts: DiscoverCommandOptions): Promise<number> {
    return withPreparedFile(file, opts, async (spec, prepared, signal) => {
        const start = startHypothesis(spec, prepared.g, opts.from);
        const name = opts.name ?? unusedName(`${start.name}_discovered`, spec.hypotheses.map(h => h.name));
        if (spec.hypotheses.some(h => h.name === name)) console.error(`hyp: note: the file already has a hypothesis named ${name}; give --name to append this one`);
        checkGraphNodes(prepared.g, start);
        console.error(`discover from ${start.name} (${edgeCount(start)} I-edges, ${start.nodes.length - 1} nodes): ${ruleText(opts.threshold, opts.rule, opts.metricTolerance)}`);
        const result = await discover(prepared, start, {
            threshold: opts.threshold, metricTolerance: opts.metricTolerance, rule: opts.rule, name, samples: opts.samples, seed: opts.seed,
            memoryBudget: opts.memoryBudget, threads: opts.threads, signal,
            onTrial: (t, done) => console.error(`  [${done}] ${t.parent} -> ${t.child}: ${scoreText(t.score)}`
                + (t.worsening ? `, worse by ${t.worsening.worsening.toPrecision(3)} ± ${t.worsening.se.toPrecision(2)}` : '')
                + ` ${t.removed ? 'removed' : 'kept'}`
                + (t.dropped.length > 0 ? ` (drops ${t.dropped.join(', ')})` : '')),
        }).catch(e => { throw inHypothesis(e, start); });
        const text = discoverResultToHyp(result);
        console.error(`found ${scoreText(result.foundScore)} with ${edgeCount(result.found)} of ${edgeCount(start)} I-edges: `
            + `${result.scrubs} scrubs, ${result.seconds.toFixed(1)} s (${result.samples} samples, seed ${result.seed})`);
        if (opts.json) {
            console.log(JSON.stringify({
                file, from: start.name, name, threshold: result.threshold, metricTolerance: result.metricTolerance, rule: result.rule, samples: result.samples, seed: result.seed,
                start: result.startScore, found: result.foundScore, edges: { start: edgeCount(start), found: edgeCount(result.found) },
                nodes: { start: start.nodes.length - 1, found: result.found.nodes.length - 1 },
                scrubs: result.scrubs, seconds: result.seconds, trials: result.trials, readByFeature: result.readByFeature, text,
            }, null, 2));
        } else {
            console.log(`\n${text}`);
        }
        return 0;
    });
}
