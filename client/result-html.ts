// The result view's page: the numbers of one scrub, a histogram of the per-example change in the
// metric (scrubbed − clean), and the examples hurt most. Static HTML with inline SVG: no scripts
// run in the webview. No vscode import, so it is unit-tested.
import type { ScrubResult } from '../engine/result.js';
import type { ResultView } from '../language/communication/rpc.js';
import { percentText } from '../engine/score/percent.js';

export const HISTOGRAM_BINS = 30;

/** Counts of `values` in `bins` equal-width bins over [min, max]. */
export function histogram(values: readonly number[], bins = HISTOGRAM_BINS): { min: number; max: number; counts: number[] } {
    const finite = values.filter(Number.isFinite);
    if (finite.length === 0) return { min: 0, max: 0, counts: new Array<number>(bins).fill(0) };
    let min = Math.min(...finite), max = Math.max(...finite);
    if (min === max) {
        min -= 0.5;
        max += 0.5;
    }
    const counts = new Array<number>(bins).fill(0);
    for (const v of finite) counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]++;
    return { min, max, counts };
}

/** The per-example change of the metric from the clean to the scrubbed model. */
export function perExampleChange(r: ScrubResult): number[] {
    if (!r.perExample) return [];
    return r.perExample.scrubbed.map((s, i) => s - r.perExample!.clean[i]);
}

const esc = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
const pct = percentText;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

function histogramSvg(changes: number[], metric: string): string {
    const { min, max, counts } = histogram(changes);
    const w = 600, h = 180, pad = 28, top = Math.max(1, ...counts);
    const bw = (w - 2 * pad) / counts.length;
    const bars = counts.map((c, i) => {
        const bh = ((h - 2 * pad) * c) / top;
        return `<rect x="${(pad + i * bw).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${c} examples</title></rect>`;
    }).join('');
    const zero = min < 0 && max > 0 ? pad + ((0 - min) / (max - min)) * (w - 2 * pad) : undefined;
    return `<svg class="histogram" viewBox="0 0 ${w} ${h}" role="img" aria-label="histogram of the per-example change in ${esc(metric)}">`
        + bars
        + (zero !== undefined ? `<line class="zero" x1="${zero}" x2="${zero}" y1="${pad / 2}" y2="${h - pad}"/>` : '')
        + `<text x="${pad}" y="${h - 8}">${esc(num(min))}</text><text x="${w - pad}" y="${h - 8}" text-anchor="end">${esc(num(max))}</text>`
        + `<text x="${w / 2}" y="${h - 8}" text-anchor="middle">change in ${esc(metric)} (scrubbed − clean)</text>`
        + `<text x="${pad}" y="${pad / 2 + 4}">${top}</text></svg>`;
}

/** The whole page for one hypothesis's result. */
export function resultHtml(view: ResultView<ScrubResult>, title: string, cspSource: string): string {
    const r = view.stored.result;
    const changes = perExampleChange(r);
    const rows: [string, string][] = [
        ['loss recovered', `${pct(r.lossRecovered)} (95% CI ${pct(r.ci95[0])}–${pct(r.ci95[1])})`],
        [`${r.metric}: clean / scrubbed / random`, `${num(r.clean)} / ${num(r.scrubbed)} / ${num(r.random)}`],
        ['examples made worse / better', `${pct(r.worse)} / ${pct(r.better)}`],
        ['samples · seed', `${r.samples.toLocaleString('en-US')} · ${r.seed}`],
        ['ablation · unimportant parents', `${r.ablation} · ${r.unimportant}`],
        ['execution provider · time', `${r.provider}${r.providerFallbacks.length ? ` (${r.providerFallbacks.join('; ')})` : ''} · ${r.seconds.toFixed(2)} s`],
        ['computed', new Date(view.stored.finished).toISOString().replace('T', ' ').slice(0, 19)],
    ];
    const hurt = r.hurtMost.map(e => `<tr><td>${e.example}</td><td>${e.example + 1}</td><td>${esc(num(e.clean))}</td><td>${esc(num(e.scrubbed))}</td></tr>`).join('');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<title>${esc(title)}</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { padding: 0.2em 1em 0.2em 0; text-align: left; }
th { color: var(--vscode-descriptionForeground); font-weight: normal; }
.stale { background: var(--vscode-inputValidation-warningBackground); border: 1px solid var(--vscode-inputValidation-warningBorder); padding: 0.5em; }
.histogram { width: 100%; max-width: 640px; }
.histogram rect { fill: var(--vscode-charts-blue, #3794ff); }
.histogram .zero { stroke: var(--vscode-charts-red, #f14c4c); stroke-dasharray: 3 3; }
.histogram text { fill: var(--vscode-descriptionForeground); font-size: 11px; }
</style></head>
<body>
<h2>${esc(title)}</h2>
${view.stale ? '<p class="stale">Stale: the model, the dataset, the hypothesis or the settings changed since this result was computed. Scrub again for a current one.</p>' : ''}
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h3>Per-example change</h3>
${changes.length ? histogramSvg(changes, r.metric) : '<p>This result has no per-example values.</p>'}
<h3>Examples hurt most</h3>
${hurt ? `<table><tr><th>example</th><th>dataset line</th><th>clean ${esc(r.metric)}</th><th>scrubbed ${esc(r.metric)}</th></tr>${hurt}</table>` : '<p>No example is made worse by the scrub.</p>'}
</body></html>`;
}
