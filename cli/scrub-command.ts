// `hyp scrub FILE.hyp`: check, then scrub every (selected) hypothesis and print loss recovered with
// its CI, human-readable or as one JSON object.
import { writeFileSync } from 'node:fs';
import { forEachHypothesis, scrub, type ScrubOptions } from '../engine/scrub.js';
import { SHARD_FORMAT, scrubShard, type ShardFile, type ShardSelector } from '../engine/shard.js';
import type { ProviderChoice } from '../engine/runtime/session.js';
import type { ExecChoice } from '../engine/execute/exec-strategy.js';
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
    memoryBudget?: number;
    /** How chunks execute: fused (one run a chunk), staged, or auto (fused on a GPU). */
    exec?: ExecChoice;
    /** Bytes of GPU memory a fused chunk may take. */
    deviceMemory?: number;
    /** Compute only this shard of the roots and write it to `out`. */
    shard?: ShardSelector;
    out?: string;
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
        const engineOptions: ScrubOptions = {
            hypotheses: opts.hypotheses,
            samples: opts.samples,
            seed: opts.seed,
            ep: opts.ep,
            batchSize: opts.batchSize,
            chunkSize: opts.chunkSize,
            memoryBudget: opts.memoryBudget,
            exec: opts.exec,
            deviceMemory: opts.deviceMemory,
            threads: opts.threads,
            signal: controller.signal,
            onProgress: p => bar.update(p.fraction, `${p.hypothesis} (${p.index + 1}/${p.count})`),
            onNotice: line => bar.note(`hyp: ${line}`),
        };
        if (opts.shard) {
            const shard = opts.shard;
            const hypotheses = await forEachHypothesis(spec, engineOptions, (prepared, h) => scrubShard(prepared, h, engineOptions, shard));
            const part: ShardFile = { format: SHARD_FORMAT, version: 1, file, shard, hypotheses };
            writeFileSync(opts.out!, JSON.stringify(part));
            bar.done();
            reportFallback(opts.ep, hypotheses[0]?.meta);
            console.error(`wrote shard ${shard.index + 1}/${shard.count} (${hypotheses.map(h => `${h.meta.hypothesis}: roots ${h.from}–${h.to - 1}`).join('; ')}) to ${opts.out}`);
            return 0;
        }
        const results = await scrub(spec, engineOptions);
        bar.done();
        reportFallback(opts.ep, results[0]);
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

/** `--ep auto` that did not get the first provider it tried says which one ran and why the others did not. */
function reportFallback(ep: ProviderChoice, ran: { provider: string; providerFallbacks: readonly string[] } | undefined): void {
    if (ep !== 'auto' || !ran || ran.providerFallbacks.length === 0) return;
    console.error(`hyp: --ep auto runs on ${ran.provider === 'cpu' ? 'the CPU' : ran.provider}: ${ran.providerFallbacks.join('; ')}`);
}
