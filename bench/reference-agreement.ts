// The long run of the reference comparison (test/reference/): scrubs many random cases with the
// engine and with the independent reference scrubber and reports how far apart they are in
// combined standard errors. Under agreement |z| is roughly half-normal: about 0.05% of comparisons
// above 3.5 σ by chance. Usage (figures in bench/README.md):
//   npm run bench:reference -- [--cases 200] [--from 1]
import { agreement, describeAgreement } from '../test/reference/agreement.js';
import type { CaseChoices } from '../test/reference/random-case.js';

const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const cases = arg('cases', 200);
const from = arg('from', 1);
const metrics = ['cross_entropy', 'accuracy', 'kl', 'logit_diff'] as const;
const ablations = ['resample', 'resample', 'mean', 'zero'] as const;

const started = performance.now();
const zs: number[] = [];
const bad: string[] = [];
let failed = 0;
for (let k = 0; k < cases; k++) {
    const seed = from + k;
    const choices: CaseChoices = { seed, metric: metrics[seed % 4], ablation: ablations[(seed >> 2) % 4], unimportant: (seed >> 4) % 2 ? 'separate' : 'shared' };
    try {
        const a = await agreement(choices);
        for (const c of a.compared) zs.push(c.z);
        const line = describeAgreement(a);
        if (a.compared.some(c => c.z > 3.5)) bad.push(line);
        if (process.argv.includes('--verbose')) console.log(line);
    } catch (e) {
        failed++;
        bad.push(`seed ${seed}: ${(e as Error).message}`);
    }
}
zs.sort((a, b) => a - b);
const q = (p: number) => zs[Math.min(zs.length - 1, Math.floor(p * zs.length))];
console.log(`${cases} cases (seeds ${from}–${from + cases - 1}), ${zs.length} comparisons, ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`|z|: median ${q(0.5).toFixed(2)} (half-normal 0.67), 95th percentile ${q(0.95).toFixed(2)} (1.96), max ${zs[zs.length - 1].toFixed(2)}; above 3.5 σ: ${zs.filter(z => z > 3.5).length}; cases that failed to run: ${failed}`);
for (const line of bad) console.log(`  ${line}`);
