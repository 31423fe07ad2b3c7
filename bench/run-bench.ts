// `npm run bench [-- --json] [-- --case NAME]`: every case in its own process, one after another
// (they would compete for the two cores), then a table; --json writes bench/results.json too.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CASES } from './cases.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, case: { type: 'string', multiple: true }, ep: { type: 'string', default: 'cpu' } } });
const selected = values.case ? CASES.filter(c => values.case!.includes(c.name)) : CASES;
const results: Record<string, number | string>[] = [];
for (const c of selected) {
    process.stderr.write(`${c.name} …\n`);
    const out = execFileSync(process.execPath, [new URL('./bench-case.mjs', import.meta.url).pathname, c.name, values.ep!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    results.push(JSON.parse(out.trim().split('\n').pop()!));
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
const cols = ['name', 'roots', 'forwardSeconds', 'scrubSeconds', 'ratioToForward', 'naiveSeconds', 'speedupOverNaive', 'sessionRuns', 'computedRequests', 'peakRssMiB', 'provider'];
const fmt = (v: number | string) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1)) : v);
console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const r of results) console.log(`| ${cols.map(k => fmt(r[k])).join(' | ')} |`);
console.log(`\nmachine: ${machine}`);
if (values.json) {
    const doc = { machine, cases: results };
    // This file runs bundled from dist/; the figures belong next to the sources in bench/.
    writeFileSync(new URL('../bench/results.json', import.meta.url), JSON.stringify(doc, null, 2));
    console.log(JSON.stringify(doc, null, 2));
}
