// One benchmark case in its own process (so its peak RSS is its own): the plain batched forward
// pass over the roots' examples, the engine's scrub, and the naive reference on a subset of roots
// scaled to the full count. Prints one JSON object.
import * as ort from 'onnxruntime-node';
import { checkHypFile } from '../language/check-file.js';
import { prepareScrub } from '../engine/prepare.js';
import { rootExample, scrubHypothesis } from '../engine/scrub.js';
import { readModelFile, writeModel } from '../engine/onnx/read.js';
import { createSession, resolveProviders, type ProviderChoice } from '../engine/runtime/session.js';
import { naiveScrubRoot } from './naive-scrubber.js';
import { CASES } from './cases.js';

const FORWARD_BATCH = 512;

async function main(): Promise<void> {
    const [name, ep = 'cpu'] = process.argv.slice(2);
    const c = CASES.find(x => x.name === name);
    if (!c) throw new Error(`unknown case ${name}`);
    const { spec, diagnostics } = await checkHypFile(c.file);
    if (!spec) throw new Error(`${c.file} does not check: ${diagnostics.map(d => d.message).join('; ')}`);
    const hypothesis = spec.hypotheses.find(h => h.name === c.hypothesis)!;
    const prepared = await prepareScrub(spec, { ep: ep as ProviderChoice });
    const n = prepared.dataset.rows.length;
    const seed = hypothesis.options.seed;

    // Warm-up: creates every session the scrub uses, so neither timing below pays for that.
    await scrubHypothesis(prepared, hypothesis, { samples: 64 });

    const examples = Int32Array.from({ length: c.roots }, (_, r) => rootExample(r, n, seed));
    const { session, provider } = await createSession(writeModel(readModelFile(spec.modelPath)), { providers: resolveProviders(ep as ProviderChoice) });
    const forwardBatch = async (batch: Int32Array) => {
        const feeds: Record<string, ort.Tensor> = {};
        for (const input of prepared.inputs.names) {
            const act = prepared.inputs.batch(input, batch);
            feeds[input] = new ort.Tensor(prepared.inputs.dtype(input) as ort.Tensor.Type, act.data as ort.Tensor.DataType, [batch.length, ...act.dims]);
        }
        await session.run(feeds);
    };
    await forwardBatch(examples.slice(0, Math.min(FORWARD_BATCH, c.roots)));
    let t = performance.now();
    for (let s = 0; s < c.roots; s += FORWARD_BATCH) await forwardBatch(examples.slice(s, s + FORWARD_BATCH));
    const forwardSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const result = await scrubHypothesis(prepared, hypothesis, { samples: c.roots });
    const scrubSeconds = (performance.now() - t) / 1000;

    const nodes = prepared.planNodes(hypothesis);
    const opts = { seed, ablation: hypothesis.options.ablation, unimportant: hypothesis.options.unimportant, datasetSize: n };
    let naiveRuns = 0;
    t = performance.now();
    for (let r = 0; r < c.naiveRoots; r++) {
        naiveRuns += (await naiveScrubRoot(prepared.g, prepared.runner, nodes, examples[r], r, opts)).runs;
    }
    const naiveSeconds = ((performance.now() - t) / 1000) * (c.roots / c.naiveRoots);

    console.log(JSON.stringify({
        name: c.name,
        roots: c.roots,
        forwardSeconds,
        scrubSeconds,
        ratioToForward: scrubSeconds / forwardSeconds,
        naiveSeconds,
        naiveRootsMeasured: c.naiveRoots,
        speedupOverNaive: naiveSeconds / scrubSeconds,
        sessionRuns: result.stats.sessionRuns,
        naiveSessionRunsPerRoot: naiveRuns / c.naiveRoots,
        requests: result.stats.requests,
        computedRequests: result.stats.computedRequests,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        provider,
        lossRecovered: result.lossRecovered,
    }));
    await session.release();
    await prepared.runner.dispose();
}

main().catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
