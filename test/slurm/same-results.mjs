// Requires a merged sharded result (`hyp merge --json`) to equal an unsharded one (`hyp scrub --json`):
// every field of every hypothesis, CI and most-hurt examples included, except the wall time and the
// engine's counters (`seconds`, `stats`), which depend on how the roots were split.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const [mergedPath, wholePath] = process.argv.slice(2);
if (!mergedPath || !wholePath) {
    console.error('usage: node same-results.mjs MERGED.json WHOLE.json');
    process.exit(2);
}
const comparable = path => JSON.parse(readFileSync(path, 'utf8')).results.map(({ seconds, stats, ...rest }) => rest);
const merged = comparable(mergedPath);
const whole = comparable(wholePath);
let failed = merged.length !== whole.length;
if (failed) console.error(`merged has ${merged.length} hypotheses, the unsharded run ${whole.length}`);
for (let i = 0; i < Math.max(merged.length, whole.length); i++) {
    const m = merged[i], w = whole[i];
    if (isDeepStrictEqual(m, w)) {
        console.log(`${w.hypothesis}: merged = unsharded (loss recovered ${w.lossRecovered}, CI [${w.ci95.join(', ')}])`);
        continue;
    }
    failed = true;
    const name = w?.hypothesis ?? m?.hypothesis;
    const keys = [...new Set([...Object.keys(m ?? {}), ...Object.keys(w ?? {})])].filter(k => !isDeepStrictEqual(m?.[k], w?.[k]));
    for (const k of keys) console.error(`${name}.${k}: merged ${JSON.stringify(m?.[k])}, unsharded ${JSON.stringify(w?.[k])}`);
}
if (failed) {
    console.error('FAIL: the merged shards differ from the unsharded run');
    process.exit(1);
}
console.log(`ok: ${whole.length} hypotheses, merged shards equal the unsharded run`);
