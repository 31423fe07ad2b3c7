// Coverage of the engine's 95% CI, end to end: scrubs the toy's only_a hypothesis (examples/toy)
// with many seeds and counts how often the CI covers the value derived from the dataset. A 95%
// interval should cover 93–97% of the time over a few hundred seeds.
//   npm run bench:coverage -- [--seeds 400] [--samples 200]
// Known value (test/examples/paren-hyp.test.ts derives it): the model is right on every clean row
// and a wrong output costs exactly 4 more cross-entropy, so loss recovered = 1 − P_s / P_r with
// P_s = mean over x of [z1 ≤ 3]·P(b(x_o) ≠ b(x)) and P_r = mean over x of P(y(x') ≠ y(x)), x_o and
// x' uniform over the dataset. The roots of one run are a few hundred of the 4,000 rows.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { prepareScrub } from '../engine/prepare.js';
import { scrubHypothesis } from '../engine/scrub.js';
import { onlyA, spec as toySpec } from '../test/fixtures/toy-spec.js';

// Run from the repository root (npm run): the fixture's paths are relative to its own file, which bundling moves.
const spec = { ...toySpec, modelPath: resolve('examples/toy/toy_or.onnx'), dataset: { ...toySpec.dataset, path: resolve('examples/toy/toy_or.jsonl') } };

const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg('seeds', 400);
const samples = arg('samples', 200);

const rows = readFileSync(spec.dataset.path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { z: number[]; y: number });
const share = (f: (r: { z: number[]; y: number }) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
const pb = share(r => Number(r.z[1] > 3));
const py = share(r => r.y);
const ps = share(r => (r.z[0] <= 3 ? (r.z[1] > 3 ? 1 - pb : pb) : 0));
const pr = share(r => (r.y === 1 ? 1 - py : py));
const known = 1 - ps / pr;

const started = performance.now();
const prepared = await prepareScrub(spec, { ep: 'cpu', threads: 1 });
let covered = 0, below = 0, above = 0;
let width = 0;
for (let seed = 1; seed <= seeds; seed++) {
    const r = await scrubHypothesis(prepared, onlyA, { samples, seed });
    width += r.ci95[1] - r.ci95[0];
    if (known < r.ci95[0]) above++;
    else if (known > r.ci95[1]) below++;
    else covered++;
}
await prepared.dispose();
const c = covered / seeds;
const se = Math.sqrt((c * (1 - c)) / seeds);
console.log(`toy only_a, known loss recovered ${known.toFixed(4)}; ${seeds} seeds × ${samples} roots, ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`95% CI covered the known value in ${covered}/${seeds} = ${(100 * c).toFixed(1)}% (±${(196 * se).toFixed(1)} points); missed with the CI below it ${below}, above it ${above}; mean width ${(width / seeds).toFixed(3)}`);
