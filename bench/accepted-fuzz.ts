// What `hyp check` accepts, `hyp scrub` runs: mutates the bundled .hyp files at random (a line
// dropped, a number or a name changed, another metric or option), and scrubs every mutant that
// `hyp check` accepts on a few roots (bench/accepted-mutations.ts). A scrub that fails there is a
// finding: an internal error is always a bug, and a located error is a check `hyp check` misses.
// Prints each finding with the edits that made it; exit status 1 when there is one.
//
//   npm run bench:accepted -- [--mutants N] [--seed S] [--samples R] [--file examples/toy/toy.hyp …]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scrubAcceptedMutants } from './accepted-mutations.js';

const BUNDLED = ['examples/toy/toy.hyp', 'examples/paren/paren.hyp', 'examples/induction/induction.hyp', 'examples/torch-export/tiny_gpt.hyp'];

const { values } = parseArgs({
    options: { mutants: { type: 'string', default: '40' }, seed: { type: 'string', default: '1' }, file: { type: 'string', multiple: true }, samples: { type: 'string', default: '8' } },
});
const started = performance.now();
const run = await scrubAcceptedMutants((values.file ?? BUNDLED).map(f => resolve(f)),
    { mutants: Number(values.mutants), seed: Number(values.seed), samples: Number(values.samples), keepFindings: true });
for (const f of run.findings) console.log(`${f.file}: ${f.what}\n  hyp check accepted it; the scrub failed with ${f.error}\n  mutant kept at ${f.kept}`);
console.log(`${run.mutants} mutants, ${run.accepted} accepted by hyp check, ${run.scrubbed} scrubbed, ${run.degenerate} no better than the baseline on ${values.samples} roots, `
    + `${run.findings.length} findings, ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = run.findings.length > 0 ? 1 : 0;
