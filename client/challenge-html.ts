// The challenge view's page: the adversary's verdict on a hypothesis (flagged or not, and the rule
// that decides), the hypothesis's own loss recovered, and its best refinements, each with an
// Insert button. The buttons are the page's only script: it runs under a nonce'd CSP and posts
// `{ type: 'insert', index }` to the extension, which inserts that refinement's block below the
// hypothesis and answers `{ type: 'inserted', index, name }` (or `{ type: 'failed', index }`).
// No vscode import, so it is unit-tested.
import type { ChallengeReport, ReportedScore } from '../engine/worker/protocol.js';
import { percentDigits } from '../engine/score/percent.js';

/** What the page posts to the extension. */
export type ChallengePageMessage = { type: 'insert'; index: number };

/** What the extension posts to the page after an Insert. */
export type ChallengeHostMessage = { type: 'inserted'; index: number; name: string } | { type: 'failed'; index: number };

const esc = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
const points = percentDigits;

/** `91.2% (95% CI 90.1–92.3%)` */
export function scoreHtml(s: ReportedScore): string {
    return `${points(s.lossRecovered)}% (95% CI ${points(s.ci95[0])}–${points(s.ci95[1])}%)`;
}

/** The whole page for one challenge; `nonce` allows its one script (a fresh random value per page). */
export function challengeHtml(report: ChallengeReport, title: string, cspSource: string, nonce: string): string {
    const halfWidth = (report.score.ci95[1] - report.score.ci95[0]) / 2;
    const facts: [string, string][] = [
        ['loss recovered', scoreHtml(report.score)],
        ['CI half-width', `${points(halfWidth)} points`],
        ['implied refinements scrubbed', `${report.scrubbedRefinements} of ${report.candidates} candidates${report.unscrubbed ? ` (${report.unscrubbed} left out by the budget)` : ''}`],
        ['scrubs · time', `${report.scrubs} · ${report.seconds.toFixed(1)} s`],
        ['samples · seed', `${report.samples.toLocaleString('en-US')} · ${report.seed}`],
    ];
    const rows = report.refinements.map((r, i) => `<section class="refinement${r.counts ? ' counts' : ''}">
<h4>${esc(r.name)}${r.counts ? ' <span class="badge">counts against the hypothesis</span>' : ''}</h4>
<p>${esc(r.description)}</p>
<table>
<tr><th>loss recovered</th><td>${esc(scoreHtml(r.score))}</td></tr>
<tr><th>drop</th><td>${points(r.drop)} points (paired s.e. ${points(r.dropSe)})</td></tr>
</table>
<button type="button" class="insert" data-index="${i}">Insert</button>
<pre>${esc(r.text)}</pre>
</section>`).join('\n');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${esc(nonce)}';">
<title>${esc(title)}</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
td, th { padding: 0.2em 1em 0.2em 0; text-align: left; vertical-align: top; }
th { color: var(--vscode-descriptionForeground); font-weight: normal; }
.verdict { padding: 0.5em; border: 1px solid var(--vscode-panel-border, #8884); }
.verdict.flagged { background: var(--vscode-inputValidation-warningBackground); border-color: var(--vscode-inputValidation-warningBorder); }
.rule { color: var(--vscode-descriptionForeground); }
.refinement { border-top: 1px solid var(--vscode-panel-border, #8884); padding: 0.5em 0; }
.badge { font-size: 0.8em; font-weight: normal; padding: 0.1em 0.5em; background: var(--vscode-inputValidation-warningBackground); }
pre { background: var(--vscode-textCodeBlock-background); padding: 0.5em; overflow-x: auto; font-family: var(--vscode-editor-font-family); }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 0.3em 1em; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button:disabled { opacity: 0.7; cursor: default; }
</style></head>
<body>
<h2>${esc(title)}</h2>
<p class="verdict${report.flagged ? ' flagged' : ''}"><strong>${report.flagged ? 'Flagged' : 'Not flagged'}</strong>: ${esc(report.verdict.replace(/^(not )?flagged: /, ''))}</p>
<p class="rule">Rule: ${esc(report.rule)}.</p>
<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h3>Best refinements</h3>
${rows || '<p>No refinement to show: no node of the hypothesis has a feature to refine.</p>'}
<script nonce="${esc(nonce)}">
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button.insert')) {
    b.addEventListener('click', () => {
        b.disabled = true;
        b.textContent = 'Inserting…';
        vscode.postMessage({ type: 'insert', index: Number(b.dataset.index) });
    });
}
window.addEventListener('message', e => {
    const m = e.data;
    const b = document.querySelector('button.insert[data-index="' + m.index + '"]');
    if (!b) return;
    b.disabled = false;
    b.textContent = m.type === 'inserted' ? 'Inserted as ' + m.name + ' (insert again)' : 'Insert';
});
</script>
</body></html>`;
}
