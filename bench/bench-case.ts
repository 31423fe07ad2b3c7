// One benchmark case in its own process (so its peak RSS is its own): the plain batched forward
// pass over the roots' examples, the engine's per-root values and then its summary statistics,
// and the naive reference on a subset of roots scaled to the full count. Prints one JSON object.
//
// `node dist/bench-case.mjs NAME [EP] [--roots N]`: EP is the provider when the case names none
// (default cpu); --roots overrides the case's roots, to smoke-test cheaply; --naive-roots N the
// roots the naive reference times (0: none, when only the ratio to the forward pass is wanted);
// --memory-budget SIZE the scrub's budget (as the CLI's); --skip-one-thread leaves out the
// one-thread forward passes (three more forward passes: an hour on the GPT-2-sized model here).
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { checkHypFile } from '../language/check-file.js';
import { prepareScrub, sessionThreads, type PreparedScrub } from '../engine/prepare.js';
import { cacheNotice, resultMeta, rootExample, scrubRoots, sizingFor, threadsFor, type ScrubOptions } from '../engine/scrub.js';
import { summarise } from '../engine/score/summary.js';
import { readModelFile, writeModel } from '../engine/onnx/read.js';
import { sumCutMisses } from '../engine/graph/sum-cut.js';
import { createSession, resolveProviders, type ProviderChoice } from '../engine/runtime/session.js';
import type { HypothesisSpec } from '../engine/spec.js';
import { EXEC_CHOICES, resolveExec, type ExecChoice } from '../engine/execute/exec-strategy.js';
import { fusedExecutorFor } from '../engine/execute/fused-executor.js';
import { naiveScrubRoot } from './naive-scrubber.js';
import { CASES } from './cases.js';
import { discoverCase } from './discover-case.js';
import { treePaths } from './tree-paths.js';
import { exitWithRerunParent, rerunWithMallocTunables } from '../engine/runtime/malloc-tunables.js';
import { parseByteSize } from '../engine/util/byte-size.js';

const FORWARD_BATCH = 512;
// As many roots as a 10,000-root case times: a thousand left V8 compiling the planner during the timed run.
const WARM_UP_ROOTS = 10_000;
// V8 optimises the planner over several passes: after one, the toy (a tenth of a second of
// bookkeeping per 10,000 roots) timed at 2–3 times its steady state.
const WARM_UP_PASSES = 3;
// A measurement under a second swings by half from run to run on a shared machine: it is the
// median of this many runs (the first included). One under MEDIUM_SECONDS is the median of
// MEDIUM_REPEATS: a single 1.0–1.5 s forward pass of paren's 10,000 roots swung by half between
// two cases of one batch run (5 December 2026), and the ratio with it. Longer ones run once.
const SHORT_REPEATS = 5;
const MEDIUM_SECONDS = 10;
const MEDIUM_REPEATS = 3;
// Passes of the one-thread forward pass whose CPU median cpuRatioToOneThreadForward divides by.
const ONE_THREAD_REPEATS = 3;

/** `first` seconds, or for a short measurement the median of it and more runs of `again`. */
async function steadySeconds(first: number, again: () => Promise<number>): Promise<number> {
    const repeats = first < 1 ? SHORT_REPEATS : first < MEDIUM_SECONDS ? MEDIUM_REPEATS : 1;
    const times = [first];
    for (let i = 1; i < repeats; i++) times.push(await again());
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
    // As the CLI and the editor's scrub worker run (engine/runtime/malloc-tunables.ts).
    const rerun = await rerunWithMallocTunables();
    if (rerun !== undefined) {
        process.exitCode = rerun;
        return;
    }
    exitWithRerunParent();
    const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { roots: { type: 'string' }, 'naive-roots': { type: 'string' }, 'memory-budget': { type: 'string' }, 'skip-one-thread': { type: 'boolean' }, exec: { type: 'string' }, 'device-memory': { type: 'string' } } });
    const [name, epArg = 'cpu'] = positionals;
    const c = CASES.find(x => x.name === name);
    if (!c) throw new Error(`unknown case ${name}`);
    const roots = flags.roots === undefined ? c.roots : Number(flags.roots);
    if (!Number.isInteger(roots) || roots < 2) throw new Error(`--roots must be an integer ≥ 2 (got ${flags.roots})`);
    const ep = c.ep ?? (epArg as ProviderChoice);
    const naiveRoots = flags['naive-roots'] === undefined ? c.naiveRoots : Number(flags['naive-roots']);
    if (!Number.isInteger(naiveRoots) || naiveRoots < 0) throw new Error(`--naive-roots must be an integer ≥ 0 (got ${flags['naive-roots']})`);

    const skipped = c.skip?.();
    if (skipped !== undefined) {
        console.log(JSON.stringify({ name: c.name, roots, skipped }));
        return;
    }
    const built = c.build?.() ?? 0;
    if (built > 0) console.error(`${c.name}: built its model and data in ${built.toFixed(1)} s`);
    const { spec, diagnostics } = await checkHypFile(c.file);
    if (!spec) throw new Error(`${c.file} does not check: ${diagnostics.map(d => d.message).join('; ')}`);
    if (c.discover) {
        const prepared = await prepareScrub(spec, { ep });
        console.log(JSON.stringify(await discoverCase({ ...c, discover: c.discover }, spec, prepared, roots)));
        await prepared.dispose();
        return;
    }
    const hypothesis = spec.hypotheses.find(h => h.name === c.hypothesis);
    if (!hypothesis) throw new Error(`${c.file} has no hypothesis ${c.hypothesis}`);
    const prepared = await prepareScrub(spec, { ep });
    if (c.gpu && prepared.runner.provider === 'cpu') {
        // A GPU case's roots are sized for a GPU: on the CPU it would run for hours and say nothing.
        console.log(JSON.stringify({ name: c.name, roots, provider: 'cpu', gpu: `none: ${prepared.runner.fallbacks.join('; ') || 'no GPU provider started'}`, skipped: 'no GPU provider started' }));
        await prepared.dispose();
        return;
    }
    const exec = (flags.exec ?? c.exec) as ExecChoice | undefined;
    if (exec !== undefined && !EXEC_CHOICES.includes(exec)) throw new Error(`--exec must be auto, fused or staged (got ${exec})`);
    const opts: ScrubOptions = { exec, deviceMemory: sizeFlag(flags['device-memory'], 'device-memory'), memoryBudget: sizeFlag(flags['memory-budget'], 'memory-budget') };
    const seed = hypothesis.options.seed;

    // Warm-up on up to 10,000 other roots of the same hypothesis (roots ≥ `roots`, so nothing the
    // engine might keep between calls serves the timed run), WARM_UP_PASSES times: it creates
    // every session and scrub thread the scrub uses and lets the JIT compile the planner and
    // executor, so the timing below is the steady state, as the forward pass's warm-up batch
    // makes it for the forward pass. Each pass fills the dataset-wide clean cache; the timed scrub
    // pays for its clean pass.
    const warmUp = c.warmUp ?? { passes: WARM_UP_PASSES, roots: WARM_UP_ROOTS };
    for (let pass = 0; pass < warmUp.passes; pass++) {
        await scrubRoots(prepared, hypothesis, opts, { from: roots, to: roots + Math.min(warmUp.roots, roots) });
        prepared.emptyCleanCache();
    }
    (globalThis as { gc?: () => void }).gc?.();

    // As scrubRoots sizes the timed run: from the hypothesis's own samples, whatever the roots.
    const sizing = sizingFor(prepared, hypothesis, opts);
    const notice = cacheNotice(prepared, hypothesis, opts, roots);
    const fused = fusedExecutorFor(prepared, hypothesis);
    const fusedBefore = { runs: fused.runs, sessions: fused.sessionsBuilt };
    const cpu0 = process.cpuUsage();
    let t = performance.now();
    const values = await scrubRoots(prepared, hypothesis, opts, { from: 0, to: roots });
    // CPU seconds of the timed scrub (every thread of the process): on a loaded machine they
    // compare strategies where wall-clock seconds swing with the load.
    const cpu = process.cpuUsage(cpu0);
    const scrubCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const fusedRuns = fused.runs - fusedBefore.runs;
    const fusedSessions = fused.sessionsBuilt - fusedBefore.sessions;
    const scrubSeconds = await steadySeconds((performance.now() - t) / 1000, async () => {
        prepared.emptyCleanCache();
        const t0 = performance.now();
        await scrubRoots(prepared, hypothesis, opts, { from: 0, to: roots });
        return (performance.now() - t0) / 1000;
    });
    // The engine's peak, before the forward pass (the model alone on 512 examples per run holds
    // more than a scrub of the induction model does) and the naive reference add theirs.
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const forward = await forwardPass(prepared, spec.modelPath, ep, roots, seed, c.forwardBatch ?? FORWARD_BATCH);
    // On the CPU, the same pass on one onnxruntime thread: its CPU time does not depend on how
    // many threads onnxruntime starts or how busy the other cores are.
    const forwardOneThread = forward.provider === 'cpu' && !flags['skip-one-thread']
        ? await forwardPass(prepared, spec.modelPath, ep, roots, seed, c.forwardBatch ?? FORWARD_BATCH, true) : undefined;

    // The paired bootstrap is the same whichever scrubber produced the values, so it is timed
    // apart: the naive reference below is timed without it too.
    t = performance.now();
    const result = summarise(values, resultMeta(prepared, hypothesis, roots, seed, false));
    const statisticsSeconds = (performance.now() - t) / 1000;

    const naive = await naiveReference(prepared, hypothesis, Math.min(naiveRoots, roots), roots);
    const fallbacks = [...new Set([...prepared.runner.fallbacks, ...forward.fallbacks])];

    console.log(JSON.stringify({
        name: c.name,
        roots,
        forwardSeconds: forward.seconds,
        scrubSeconds,
        statisticsSeconds,
        scrubCpuSeconds,
        ratioToForward: scrubSeconds / forward.seconds,
        // The timed scrub's CPU seconds against the forward pass's (median pass), every thread
        // counted: steadier than the wall-clock ratio when other work shares the cores, and blind
        // to how well either uses them.
        forwardCpuSeconds: forward.cpuSeconds,
        cpuRatioToForward: scrubCpuSeconds / forward.cpuSeconds,
        // Against the median CPU of three forward passes on one onnxruntime thread (CPU only):
        // the figure to compare across runs and loads (bench/README.md).
        forwardOneThreadCpuSeconds: forwardOneThread?.cpuSeconds ?? null,
        cpuRatioToOneThreadForward: forwardOneThread ? scrubCpuSeconds / forwardOneThread.cpuSeconds : null,
        naiveSeconds: naive?.seconds ?? null,
        naiveRootsMeasured: naive?.roots ?? 0,
        speedupOverNaive: naive ? naive.seconds / scrubSeconds : null,
        sessionRuns: result.stats.sessionRuns,
        // Which strategy ran, and for fused, its runs (one a chunk) and sessions built in the timed scrub.
        exec: resolveExec(opts.exec, prepared.runner.provider),
        chunks: resolveExec(opts.exec, prepared.runner.provider) === 'fused' ? fusedRuns : null,
        fusedSessionsBuilt: fusedSessions,
        // A fused run is one thread (scrub.ts, scrubRoots).
        threads: resolveExec(opts.exec, prepared.runner.provider) === 'fused' ? 1 : threadsFor(prepared, opts, roots).workers,
        naiveSessionRunsPerRoot: naive?.runsPerRoot ?? null,
        treePaths: treePaths(hypothesis),
        requests: result.stats.requests,
        computedRequests: result.stats.computedRequests,
        // Whether the dataset-wide clean cache held what the run reads, roots per chunk, and
        // what the CLI would have said before the run (engine/scrub.ts, cacheNotice).
        cleanCache: sizing.cache !== undefined,
        chunkSize: sizing.chunkSize,
        notice: notice ?? null,
        cleanExamples: result.stats.cleanExamples,
        phaseSeconds: result.stats.phaseSeconds,
        peakRssMiB,
        provider: prepared.runner.provider,
        // Only for cases that ask for a GPU: which one ran, or plainly that none did and why.
        gpu: ep === 'cpu' ? null : prepared.runner.provider !== 'cpu' ? prepared.runner.provider : `none: ${fallbacks.join('; ') || 'no GPU provider started'}`,
        lossRecovered: result.lossRecovered,
        ci95: result.ci95,
        rules: rulesReport(prepared),
    }));
    await prepared.dispose();
}

/**
 * Which of the engine's rules fired on this model (docs/design.md, "Execution plan"), and where
 * one did not, why: clean cuts per local function, sum cuts and, for each split parent without
 * one, what reads it; whether local functions are sliced, and those that failed their check.
 */
function rulesReport(prepared: PreparedScrub) {
    const { g } = prepared;
    const model = readModelFile(prepared.spec.modelPath);
    const rank = (t: string) => {
        try { return prepared.runner.typeOf(t).dims.length + 1; } catch { return undefined; }
    };
    const cleanCuts: string[] = [], sumCuts: string[] = [], noSumCut: string[] = [];
    for (const t of g.computedTensors) {
        const parents = g.tensorParents(t);
        for (const c of prepared.cuts.get(t) ?? []) cleanCuts.push(`${parents[c.parent]} -> ${t}: fed ${c.frontier.join(', ')}`);
        for (const c of prepared.sumCuts.get(t) ?? []) sumCuts.push(`${parents[c.parent]} -> ${t}: fed ${c.reduced} as per-part sums`);
        const split = new Set(parents.flatMap((p, k) => (g.nodesOfTensor(p).length > 1 ? [k] : [])));
        if (split.size > 0) noSumCut.push(...sumCutMisses(model, t, parents, split, rank));
    }
    // Slice failures as this thread saw them (the self-check's and the naive reference's functions).
    return { cleanCuts, sumCuts, noSumCut, sliced: prepared.runner.slicing !== undefined, sliceFailures: prepared.runner.sliceFailures };
}

/** A size flag as the CLI reads it (`2G`, `512M`), in bytes; undefined when absent. */
function sizeFlag(value: string | undefined, name: string): number | undefined {
    if (value === undefined) return undefined;
    const bytes = parseByteSize(value);
    if (bytes === undefined) throw new Error(`--${name} must be a size such as 2G or 512M (got ${value})`);
    return bytes;
}

/** The model alone on the roots' examples, in batches, after one warm-up batch. */
async function forwardPass(prepared: PreparedScrub, modelPath: string, ep: ProviderChoice, roots: number, seed: number, batchSize: number,
    oneThread = false) {
    const n = prepared.dataset.rows.length;
    const examples = Int32Array.from({ length: roots }, (_, r) => rootExample(r, n, seed));
    // On every core, as the scrub's sessions are (engine/prepare.ts): onnxruntime's default took
    // one thread on the 2-vCPU development machine, which made the forward pass a one-core figure.
    const { session, fallbacks, provider } = await createSession(writeModel(readModelFile(modelPath)),
        { providers: resolveProviders(ep), intraOpThreads: oneThread ? 1 : sessionThreads({}) });
    const run = async (batch: Int32Array) => {
        const feeds: Record<string, ort.Tensor> = {};
        for (const input of prepared.inputs.names) {
            const act = prepared.inputs.batch(input, batch);
            feeds[input] = new ort.Tensor(prepared.inputs.dtype(input) as ort.Tensor.Type, act.data as ort.Tensor.DataType, [batch.length, ...act.dims]);
        }
        await session.run(feeds);
    };
    await run(examples.slice(0, Math.min(batchSize, roots)));
    // CPU seconds per pass (every thread of the process), like the scrub's scrubCpuSeconds.
    const cpuSeconds: number[] = [];
    const pass = async () => {
        const cpu0 = process.cpuUsage();
        const t = performance.now();
        for (let s = 0; s < roots; s += batchSize) await run(examples.slice(s, s + batchSize));
        const cpu = process.cpuUsage(cpu0);
        cpuSeconds.push((cpu.user + cpu.system) / 1e6);
        return (performance.now() - t) / 1000;
    };
    const first = await pass();
    // The one-thread CPU figure is a median of three passes however long they are: one long pass
    // in five can take twice the CPU of the others on a shared machine.
    const seconds = oneThread ? first : await steadySeconds(first, pass);
    if (oneThread) while (cpuSeconds.length < ONE_THREAD_REPEATS) await pass();
    await session.release();
    cpuSeconds.sort((a, b) => a - b);
    return { seconds, cpuSeconds: cpuSeconds[Math.floor(cpuSeconds.length / 2)], fallbacks, provider };
}

/** The naive scrubber on the first `measured` roots, its time scaled to `roots`; null when skipped. */
async function naiveReference(prepared: PreparedScrub, hypothesis: HypothesisSpec, measured: number, roots: number) {
    if (measured === 0) return null;
    const n = prepared.dataset.rows.length;
    const { seed, ablation, unimportant } = hypothesis.options;
    const nodes = prepared.planNodes(hypothesis);
    const opts = { seed, ablation, unimportant, datasetSize: n };
    // Untimed roots first (roots `roots`, … outside the measured ones), a tenth as many as it
    // measures and at least one: the naive scrubber's sessions are its own (whole local
    // functions), creating them is not scrubbing, and its JIT warms up as the engine's does.
    for (let r = roots; r < roots + Math.max(1, Math.floor(measured / 10)); r++) {
        await naiveScrubRoot(prepared.g, prepared.runner, nodes, rootExample(r, n, seed), r, opts);
    }
    let runs = 0;
    const pass = async () => {
        runs = 0;
        const t = performance.now();
        for (let r = 0; r < measured; r++) {
            runs += (await naiveScrubRoot(prepared.g, prepared.runner, nodes, rootExample(r, n, seed), r, opts)).runs;
        }
        return (performance.now() - t) / 1000;
    };
    const seconds = (await steadySeconds(await pass(), pass)) * (roots / measured);
    return { seconds, roots: measured, runsPerRoot: runs / measured };
}

main().catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
