// `hyp scrub FILE.hyp`: check, then scrub every (selected) hypothesis and print loss recovered with
// its CI, human-readable or as one JSON object.
import { scrub } from '../engine/scrub.js';
import type { ProviderChoice } from '../engine/runtime/session.js';
import { checkAndReport } from './check-command.js';
import { formatResult, jsonResult } from './format.js';
import { progressBar } from './progress.js';

export interface ScrubCommandOptions {
    hypotheses: string[];
    samples?: number;
    seed?: number;
    ep: ProviderChoice;
    json: boolean;
    batchSize?: number;
    chunkSize?: number;
    threads?: number;
}

export async function scrubCommand(file: string, opts: ScrubCommandOptions): Promise<number> {
    // Diagnostics go to stderr so that `--json` output stays one parseable object.
    const { ok, spec } = await checkAndReport(file, line => console.error(line));
    if (!ok || !spec) return 1;
    const bar = progressBar();
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
        const results = await scrub(spec, {
            hypotheses: opts.hypotheses,
            samples: opts.samples,
            seed: opts.seed,
            ep: opts.ep,
            batchSize: opts.batchSize,
            chunkSize: opts.chunkSize,
            intraOpThreads: opts.threads,
            signal: controller.signal,
            onProgress: p => bar.update(p.fraction, `${p.hypothesis} (${p.index + 1}/${p.count})`),
        });
        bar.done();
        if (opts.json) {
            console.log(JSON.stringify({ file, results: results.map(jsonResult) }, null, 2));
        } else {
            const width = Math.max(...results.map(r => r.hypothesis.length));
            for (const r of results) console.log(formatResult(r, width));
        }
        return 0;
    } finally {
        bar.done();
        process.off('SIGINT', onSignal);
    }
}
