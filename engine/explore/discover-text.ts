// What discover found, as a `hypothesis` block to paste into the file: a header with the rule, the
// cost and each removal with the loss recovered after it, and under each kept edge what removing it
// gave (why it stayed).
import type { DiscoverResult, Score } from './discover.js';
import { edgeCount } from './discover.js';
import { hypothesisToHyp } from './hypothesis-text.js';

/** `91.2% (95% CI 90.1–92.3)` */
export function scoreText(s: Score): string {
    const p = (x: number) => (100 * x).toFixed(1);
    return `${p(s.lossRecovered)}% (95% CI ${p(s.ci95[0])}–${p(s.ci95[1])})`;
}

/** The rule as one clause, for outputs and headers. */
export function ruleText(threshold: number, rule: DiscoverResult['rule']): string {
    const t = `${(100 * threshold).toFixed(1).replace(/\.0$/, '')}%`;
    return rule === 'ci'
        ? `a removal is kept when the lower end of its 95% CI stays at or above ${t}`
        : `a removal is kept when its point estimate stays at or above ${t} (the CI is not used)`;
}

/** The found hypothesis as `.hyp` text with its comments. */
export function discoverResultToHyp(r: DiscoverResult): string {
    const nodes = (h: DiscoverResult['start']) => h.nodes.length - 1;
    const header = [
        `Found by hyp discover from ${r.start.name}: ${ruleText(r.threshold, r.rule)}.`,
        `${r.samples} samples, seed ${r.seed}: ${r.scrubs} scrubs in ${r.seconds.toFixed(1)} s.`,
        `${r.start.name}: ${scoreText(r.startScore)} with ${edgeCount(r.start)} I-edges and ${nodes(r.start)} nodes;`,
        `this: ${scoreText(r.foundScore)} with ${edgeCount(r.found)} I-edges and ${nodes(r.found)} nodes.`,
    ];
    const removed = r.trials.filter(t => t.removed);
    if (removed.length > 0) header.push('Removed, in search order (loss recovered after each removal):');
    for (const t of removed) {
        const dropped = t.dropped.length > 0 ? `; nothing reads ${t.dropped.join(', ')} any more` : '';
        header.push(`  ${t.parent} -> ${t.child}: ${scoreText(t.score)}${dropped}`);
    }
    for (const e of r.readByFeature) header.push(`Not tried: ${e.parent} -> ${e.child} (${e.child}'s feature reads ${e.parent}).`);
    const notes = new Map<string, string[]>();
    const kept = new Set(r.found.nodes.map(n => n.name));
    for (const t of r.trials) {
        if (t.removed || !kept.has(t.child)) continue;
        const key = t.child === r.found.nodes.find(n => n.graphNode === 'output')?.name ? 'output' : t.child;
        const list = notes.get(key) ?? [];
        list.push(`kept <- ${t.parent}: without it ${scoreText(t.score)}`);
        notes.set(key, list);
    }
    return hypothesisToHyp(r.found, { header, notes });
}
