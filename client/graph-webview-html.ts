// The hypothesis graph view's page: the server's SVG (draw/) inlined, restyled with the editor
// theme's colours, with zoom (wheel, + and −), pan (drag) and fit, and a click on a box asking the
// extension to reveal its declaration. When the file has errors the last good picture stays and a
// bar says why. No vscode import: unit-tested.

/** Messages from the extension to the page. */
export type ToGraphPage = { type: 'drawing'; svg?: string; problem?: string };

/** Messages from the page to the extension. */
export type FromGraphPage = { type: 'reveal'; id: string } | { type: 'ready' };

/** The editor theme's colours for the drawing's classes (draw/render-svg.ts), stronger than the SVG's own. */
export const THEME_CSS = `
body .hyp-title, body .box .label { fill: var(--vscode-foreground); }
body .hyp-subtitle, body .box .detail, body .legend text { fill: var(--vscode-descriptionForeground); }
body .box .frame { fill: var(--vscode-editor-background); stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); }
body .box.claimed .frame, body .box.read .frame, body .box.output .frame { stroke: var(--vscode-foreground); }
body .box.group > .frame, body .box.input .frame, body .box.region .frame { fill: var(--vscode-sideBar-background, var(--vscode-editorWidget-background)); }
body .box:not(.claimed):not(.group):not(.read) .label { fill: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
body .claim .badge { fill: var(--vscode-textCodeBlock-background, var(--vscode-editorWidget-background)); stroke: var(--vscode-focusBorder); }
body .claim text { fill: var(--vscode-editor-foreground); }
body .claim.with-effect text { fill: #0b1f33; }
body .edge.claimed, body .lines.claimed { stroke: var(--vscode-foreground); }
body .arrow.claimed { fill: var(--vscode-foreground); }
body .edge.inert, body .lines.inert { stroke: var(--vscode-editorWarning-foreground, var(--vscode-foreground)); }
body .arrow.inert { fill: var(--vscode-editorWarning-foreground, var(--vscode-foreground)); }
body .lines.resampled { stroke: var(--vscode-descriptionForeground); }
body .arrow.resampled { fill: var(--vscode-descriptionForeground); }
body .edge.unclaimed, body .lines.unclaimed { stroke: var(--vscode-editorIndentGuide-background, var(--vscode-panel-border)); }
body .arrow.unclaimed { fill: var(--vscode-editorIndentGuide-background, var(--vscode-panel-border)); }
body .box:not(.group) { cursor: pointer; }
body .box:not(.group):hover > .frame { stroke: var(--vscode-focusBorder); stroke-width: 2; }
`;

/** The page; `nonce` allows its one script. */
export function graphPageHtml(title: string, cspSource: string, nonce: string): string {
    const esc = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>${esc(title)}</title>
<style>
html, body { height: 100%; margin: 0; overflow: hidden; }
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
#bar { display: flex; gap: 0.5em; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
#bar button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 2px 8px; cursor: pointer; }
#bar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#problem { flex: 1; color: var(--vscode-editorWarning-foreground); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#viewport { position: absolute; top: 33px; left: 0; right: 0; bottom: 0; overflow: hidden; cursor: grab; }
#viewport.panning { cursor: grabbing; }
#canvas { transform-origin: 0 0; position: absolute; }
${THEME_CSS}
</style></head>
<body>
<div id="bar"><button id="fit" title="Fit the drawing to the view">Fit</button><button id="zoom-in" title="Zoom in">+</button><button id="zoom-out" title="Zoom out">−</button><span id="problem" role="status"></span></div>
<div id="viewport"><div id="canvas"></div></div>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body></html>`;
}

// Plain browser JavaScript (the webview runs it as is). State survives the view being hidden
// through the webview's own state store.
const PAGE_SCRIPT = `
const vscode = acquireVsCodeApi();
const viewport = document.getElementById('viewport');
const canvas = document.getElementById('canvas');
const problem = document.getElementById('problem');
let state = vscode.getState() || { svg: null, problem: null, view: null };
let view = state.view;
function apply() {
    if (view) canvas.style.transform = 'translate(' + view.x + 'px,' + view.y + 'px) scale(' + view.s + ')';
}
function fit() {
    const svg = canvas.querySelector('svg');
    if (!svg) return;
    const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    const s = Math.min(1.5, (viewport.clientWidth - 16) / w, (viewport.clientHeight - 16) / h);
    view = { s, x: (viewport.clientWidth - w * s) / 2, y: 8 };
    apply();
    save();
}
function save() {
    vscode.setState({ svg: state.svg, problem: state.problem, view });
}
function show() {
    if (state.svg !== null && canvas.dataset.svg !== state.svg) {
        canvas.innerHTML = state.svg;
        canvas.dataset.svg = state.svg;
        if (view) apply(); else fit();
    }
    problem.textContent = state.problem === null ? '' : (state.svg !== null ? 'Showing the last good picture: ' : '') + state.problem;
    document.body.dataset.problem = state.problem === null ? 'no' : 'yes';
}
function zoom(factor, cx, cy) {
    if (!view) return;
    const s = Math.max(0.05, Math.min(8, view.s * factor));
    view = { s, x: cx - (cx - view.x) * (s / view.s), y: cy - (cy - view.y) * (s / view.s) };
    apply();
    save();
}
window.addEventListener('message', e => {
    const m = e.data;
    if (m.type !== 'drawing') return;
    state = { svg: m.svg !== undefined ? m.svg : state.svg, problem: m.problem !== undefined ? m.problem : null, view };
    save();
    show();
});
viewport.addEventListener('wheel', e => {
    e.preventDefault();
    const r = viewport.getBoundingClientRect();
    zoom(Math.exp(-e.deltaY / 400), e.clientX - r.left, e.clientY - r.top);
}, { passive: false });
let drag = null;
viewport.addEventListener('mousedown', e => {
    if (e.button !== 0 || !view) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
});
window.addEventListener('mousemove', e => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; viewport.classList.add('panning'); }
    view = { s: view.s, x: drag.vx + dx, y: drag.vy + dy };
    apply();
});
window.addEventListener('mouseup', e => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    viewport.classList.remove('panning');
    save();
    if (moved) return;
    const box = e.target.closest && e.target.closest('[data-id]');
    if (box) vscode.postMessage({ type: 'reveal', id: box.getAttribute('data-id') });
});
document.getElementById('fit').addEventListener('click', fit);
document.getElementById('zoom-in').addEventListener('click', () => zoom(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2));
document.getElementById('zoom-out').addEventListener('click', () => zoom(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2));
show();
vscode.postMessage({ type: 'ready' });
`;
