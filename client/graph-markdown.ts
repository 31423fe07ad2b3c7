// "Show model graph" as Markdown: the G nodes (hook points) with tensor, shape, producing op and
// G-parents, and the current hypothesis's correspondence. No vscode import: unit-tested.
import type { GraphView } from '../language/communication/rpc.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown page of a graph view. */
export function graphMarkdown(view: GraphView): string {
    const out = [`# Model graph: ${view.modelPath || '(no model)'}`, ''];
    if (view.problem) out.push(`> ${view.problem}`, '');
    if (view.nodes.length) {
        out.push('| G node | tensor | shape | op | G-parents |', '|---|---|---|---|---|');
        for (const n of view.nodes) out.push(`| ${cell(n.name)} | ${cell(n.tensor)} | ${cell(n.shape)} | ${cell(n.op)} | ${cell(n.parents.join(', '))} |`);
        out.push('');
    }
    if (view.hypothesis) {
        out.push(`## Hypothesis \`${view.hypothesis.name}\``, '', '| I node | → G node | feature | I-parents |', '|---|---|---|---|');
        const parents = (m: (typeof view.hypothesis.mapping)[number]) =>
            m.parents.map(p => (m.inert?.[p] !== undefined ? `${p} (numerically inert: moved it in 0 of ${m.inert[p]} trials)` : p)).join(', ');
        for (const m of view.hypothesis.mapping) out.push(`| ${cell(m.interpNode)} | ${cell(m.graphNode)} | \`${cell(m.feature)}\` | ${cell(parents(m))} |`);
        out.push('', 'G-parents of a claimed G node that are not images of its I-parents are resampled from a random example.');
        if (view.hypothesis.mapping.some(m => m.inert)) {
            out.push('', 'A numerically inert I-parent: perturbing it on dataset rows never moved the node (edge-numerically-inert). The edge stands; the claim may be vacuous.');
        }
    }
    return out.join('\n');
}

/** The webview page around the Markdown, rendered to HTML by VS Code's markdown extension. */
export function graphPageHtml(renderedMarkdown: string, cspSource: string): string {
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { padding: 0.2em 1em 0.2em 0; text-align: left; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
code { font-family: var(--vscode-editor-font-family); }
</style></head>
<body>${renderedMarkdown}</body></html>`;
}
