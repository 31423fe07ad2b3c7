// What discover found, as a `hypothesis` block to paste into the file: a header with the rule, the
// cost and each removal with the loss recovered after it, and under each kept edge what removing it
// gave (why it stayed).
import type { DiscoverResult, Score } from './discover.js';
import { edgeCount } from './discover.js';
import { hypothesisToHyp } from './hypothesis-text.js';
import { percentDigits } from '../score/percent.js';

/** `91.2% (95% CI 90.1–92.3)` */
export function scoreText(s: Score): string {
    const p = percentDigits;
    return `${p(s.lossRecovered)}% (95% CI ${p(s.ci95[0])}–${p(s.ci95[1])})`;
}

/** The rule as one clause, for outputs and headers. */
export function ruleText(threshold: number | null, rule: DiscoverResult['rule'], metricTolerance: number | null = null): string {
    const clauses: string[] = [];
    if (threshold !== null) {
        const t = `${(100 * threshold).toFixed(1).replace(/\.0$/, '')}%`;
        clauses.push(rule === 'ci'
            ? `the lower end of its 95% CI stays at or above ${t}`
            : `its point estimate stays at or above ${t} (the CI is not used)`);
    }
    if (metricTolerance !== null) {
        clauses.push(rule === 'ci'
            ? `it behaves at most ${metricTolerance} worse than the circuit before it in the metric's units (one-sided 95% bound, paired over roots)`
            : `it behaves at most ${metricTolerance} worse than the circuit before it in the metric's units (the mean change; the CI is not used)`);
    }
    return `a removal is kept when ${clauses.join(' and ')}`;
}

/** `+0.0123 ± 0.0040` in the metric's units, worse positive. */
function worseningText(w: { worsening: number; se: number }): string {
    const sign = w.worsening < 0 ? '−' : '+';
    return `${sign}${Math.abs(w.worsening).toPrecision(3)} ± ${w.se.toPrecision(2)} metric`;
}

/** The found hypothesis as `.hyp` text with its comments. */
export function discoverResultToHyp(r: DiscoverResult): string {
    const nodes = (h: DiscoverResult['start']) => h.nodes.length - 1;
    const header = [
        `Found by hyp discover from ${r.start.name}: ${ruleText(r.threshold, r.rule, r.metricTolerance)}.`,
        `${r.samples} samples, seed ${r.seed}: ${r.scrubs} scrubs in ${r.seconds.toFixed(1)} s.`,
        `${r.start.name}: ${scoreText(r.startScore)} with ${edgeCount(r.start)} I-edges and ${nodes(r.start)} nodes;`,
        `this: ${scoreText(r.foundScore)} with ${edgeCount(r.found)} I-edges and ${nodes(r.found)} nodes.`,
    ];
    const removed = r.trials.filter(t => t.removed);
    if (removed.length > 0) header.push('Removed, in search order (loss recovered after each removal):');
    for (const t of removed) {
        const dropped = t.dropped.length > 0 ? `; nothing reads ${t.dropped.join(', ')} any more` : '';
        const worse = t.worsening ? `, ${worseningText(t.worsening)}` : '';
        header.push(`  ${t.parent} -> ${t.child}: ${scoreText(t.score)}${worse}${dropped}`);
    }
    for (const e of r.readByFeature) header.push(`Not tried: ${e.parent} -> ${e.child} (${e.child}'s feature reads ${e.parent}).`);
    const notes = new Map<string, string[]>();
    const kept = new Set(r.found.nodes.map(n => n.name));
    for (const t of r.trials) {
        if (t.removed || !kept.has(t.child)) continue;
        const key = t.child === r.found.nodes.find(n => n.graphNode === 'output')?.name ? 'output' : t.child;
        const list = notes.get(key) ?? [];
        list.push(`kept <- ${t.parent}: without it ${scoreText(t.score)}${t.worsening ? `, ${worseningText(t.worsening)}` : ''}`);
        notes.set(key, list);
    }
    return hypothesisToHyp(r.found, { header, notes });
}
