// `npm run bench [-- --json] [-- --case NAME]... [-- --quick] [-- --gpu] [-- --roots N] [-- --ep EP] [-- --exec STRATEGY]`:
// every case in its own process, one after another (they would compete for the two cores), then a
// table; --json writes bench/results.json too (bench/results-gpu.json with --gpu). --roots overrides
// every case's roots (smoke tests). --gpu runs the GPU cases (sized for a GPU) instead of the others.
// --exec fused|staged|auto overrides every case's execution strategy (engine/execute/exec-strategy.ts);
// --device-memory SIZE (e.g. 80000M, 64G) is the GPU memory a fused chunk may take.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CASES } from './cases.js';

type CaseResult = Record<string, unknown>;

const { values } = parseArgs({
    options: {
        json: { type: 'boolean', default: false },
        case: { type: 'string', multiple: true },
        quick: { type: 'boolean', default: false },
        roots: { type: 'string' },
        ep: { type: 'string', default: 'cpu' },
        gpu: { type: 'boolean', default: false },
        exec: { type: 'string' },
        'device-memory': { type: 'string' },
    },
});
const unknown = (values.case ?? []).filter(name => !CASES.some(c => c.name === name));
if (unknown.length > 0) {
    console.error(`unknown case ${unknown.join(', ')}; the cases are: ${CASES.map(c => c.name).join(', ')}`);
    process.exit(2);
}
// GPU cases (sized for a GPU) run only with --gpu, or by name.
const selected = CASES.filter(c => (values.case ? values.case.includes(c.name) : (!values.quick || c.quick) && (values.gpu ? c.gpu === true : !c.gpu)));

const results: CaseResult[] = [];
for (const c of selected) {
    process.stderr.write(`${c.name} …\n`);
    // --expose-gc: the case collects the warm-up's garbage before the timed scrub, so that the
    // peak RSS is the timed scrub's.
    const args = ['--expose-gc', new URL('./bench-case.mjs', import.meta.url).pathname, c.name, values.ep!];
    if (values.roots !== undefined) args.push('--roots', values.roots);
    if (values.exec !== undefined) args.push('--exec', values.exec);
    if (values['device-memory'] !== undefined) args.push('--device-memory', values['device-memory']);
    try {
        const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        results.push(JSON.parse(out.trim().split('\n').pop()!) as CaseResult);
    } catch (e) {
        // The case printed its own message on stderr; the others still run, and the exit code says it.
        const status = (e as { status?: number | null }).status;
        results.push({ name: c.name, error: `failed (exit ${status ?? 'by signal'})` });
        process.exitCode = 1;
    }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
const columns: [key: string, title: string][] = [
    ['name', 'case'], ['roots', 'roots'], ['forwardSeconds', 'forward s'], ['scrubSeconds', 'scrub s'],
    ['statisticsSeconds', 'statistics s'], ['ratioToForward', 'ratio to forward'], ['naiveSeconds', 'naive s (scaled)'],
    ['naiveRootsMeasured', 'naive roots'], ['speedupOverNaive', 'speedup over naive'], ['sessionRuns', 'session runs'], ['exec', 'exec'], ['chunks', 'fused runs'], ['searchScrubs', 'search scrubs'], ['threads', 'threads'],
    ['treePaths', 'tree paths'], ['computedRequests', 'distinct computed requests'], ['peakRssMiB', 'peak RSS MiB'],
    ['provider', 'provider'], ['gpu', 'gpu'], ['skipped', 'skipped'], ['error', 'error'],
];
// The skipped and error columns only when some case has one.
for (const key of ['skipped', 'error']) {
    if (!results.some(r => key in r)) columns.splice(columns.findIndex(([k]) => k === key), 1);
}
console.log(`| ${columns.map(([, title]) => title).join(' | ')} |\n|${columns.map(() => '---').join('|')}|`);
for (const r of results) console.log(`| ${columns.map(([key]) => format(r[key])).join(' | ')} |`);
console.log(`\nmachine: ${machine}`);
if (values.json) {
    const doc = { machine, cases: results };
    // This file runs bundled from dist/; the figures belong next to the sources in bench/.
    writeFileSync(new URL(values.gpu ? '../bench/results-gpu.json' : '../bench/results.json', import.meta.url), JSON.stringify(doc, null, 2));
    console.log(JSON.stringify(doc, null, 2));
}

/** A table cell: integers with thousands separators, fractions to three significant digits, — for null. */
function format(v: unknown): string {
    if (v === null || v === undefined) return '—';
    if (typeof v !== 'number') return String(v);
    if (!Number.isFinite(v) || Number.isInteger(v)) return v.toLocaleString('en-US');
    // A toy forward pass takes a fraction of a millisecond: fixed decimals would print 0.000.
    return v < 100 ? String(Number(v.toPrecision(3))) : v.toLocaleString('en-US', { maximumFractionDigits: 0 });
}
