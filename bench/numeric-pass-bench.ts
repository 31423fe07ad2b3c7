// What the numeric pass over part-level edges (graph/perturb-queries.ts) costs `hyp check` on the
// bundled examples, and whether it covers their claims: each file is checked in-process as
// `hyp check` does, alternately without a perturber and with one, and the process CPU time of the
// two is compared (the probe for real shapes is cached after the first check, so the difference is
// the pass and the validation round it adds). Run with `npm run bench:numeric [-- FILE.hyp …]`;
// figures go to bench/README.md.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkHypFile } from '../language/check-file.js';
import { probeModelFile } from '../engine/runtime/probe-model.js';
import { perturbPartsFile } from '../engine/runtime/perturb-parts.js';

const EXAMPLES = [
    'examples/paren/paren.hyp', 'examples/paren/explore/features.hyp', 'examples/paren/explore/heads.hyp',
    'examples/paren/explore/positions.hyp', 'examples/paren/explore/variants.hyp', 'examples/induction/induction.hyp',
    'examples/torch-export/tiny_gpt.hyp', 'examples/torch-export/per_head_wo.hyp', 'examples/torch-export/mlp_readout.hyp',
];
const ROUNDS = 3;

/** CPU (user + system) and wall milliseconds of `f`. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await f();
    const c = process.cpuUsage(c0);
    return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
    const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : EXAMPLES;
    console.log(`median of ${ROUNDS} alternating in-process checks (process CPU time, user + system); the probe cached`);
    console.log('file | check without the pass | with it | the pass | edges tested | claimed edges untested | inert warnings');
    for (const file of files) {
        const path = resolve(file);
        // Warm-up: loads the model and dataset, runs the probe once, JIT-compiles the checks.
        await checkHypFile(path, { prober: probeModelFile });
        const without: number[] = [], withPass: number[] = [];
        let last: Awaited<ReturnType<typeof checkHypFile>> | undefined;
        for (let r = 0; r < ROUNDS; r++) {
            without.push((await timed(() => checkHypFile(path, { prober: probeModelFile }))).cpu);
            // A perturber other than the last one clears the cached pass: each round runs it again.
            const run = await timed(() => checkHypFile(path, { prober: probeModelFile, perturber: (p, q) => perturbPartsFile(p, q) }));
            withPass.push(run.cpu);
            last = run.value;
        }
        const d = last!.diagnostics;
        const untested = d.filter(x => x.code === 'numeric-pass-skipped' || x.code === 'numeric-pass-failed')
            .map(x => x.message.match(/(\d+) claimed edges?/)?.[1] ?? '?').join(' + ') || '0';
        const inert = d.filter(x => x.code === 'edge-numerically-inert').length;
        const tested = Object.keys(last!.numeric?.edges ?? {}).length;
        const a = median(without), b = median(withPass);
        console.log(`${file} | ${(a / 1000).toFixed(2)} s | ${(b / 1000).toFixed(2)} s | ${((b - a) / 1000).toFixed(2)} s | ${tested} | ${untested} | ${inert}`);
    }
}

if (process.argv[1]?.includes('numeric-pass-bench')) await main();
