// The drawing as a standalone SVG: for papers and reviews (hyp draw) and, inlined, for the
// editor's webview. Deterministic: no timestamps, ids derived from G and I names, coordinates
// rounded, standard fonts. Colours are CSS classes in one <style> element, so the webview can
// restyle them with the editor theme's variables and any SVG tool reads the file's own.
import { claimHeight, METRICS, type DrawingLayout, type PlacedBox, type PlacedEdge, type Point } from './layout.js';
import type { EdgeStyle } from './scene.js';
import { segmentUnion } from './segments.js';
import { sansWidth } from './text-width.js';

const TITLE_BAND = 30;
const LEGEND_BAND = 34;

/** The colours of the file (a light, print-friendly theme); the webview overrides them per class. */
export const SVG_STYLE = `
.hyp-title { font-size: 14px; font-weight: bold; fill: #1f2328; }
.hyp-subtitle { font-size: 11px; fill: #6e7781; }
.box .frame { fill: #ffffff; stroke: #afb8c1; stroke-width: 1; }
.box.claimed .frame, .box.read .frame { stroke: #1f2328; stroke-width: 1.4; }
.box.input .frame { fill: #f0f3f6; }
.box.region .frame { fill: #f6f8fa; stroke-dasharray: 3 3; }
.box.group > .frame { fill: #f6f8fa; stroke: #8c959f; stroke-width: 1; }
.box.output .frame { stroke: #1f2328; stroke-width: 2.4; }
.box .label { font-size: ${METRICS.labelSize}px; fill: #1f2328; }
.box.claimed .label, .box.output .label, .box.group > .label { font-weight: bold; }
.box:not(.claimed):not(.group):not(.read) .label { fill: #57606a; }
.box .detail { font-size: ${METRICS.detailSize}px; fill: #6e7781; }
.claim .badge { fill: #ddf4ff; stroke: #54aeff; stroke-width: 1; }
.claim text { font-family: ${METRICS.fonts.mono}; font-size: ${METRICS.claimSize}px; fill: #0b1f33; }
.claim .effect { font-family: ${METRICS.fonts.sans}; font-weight: bold; }
.edge, .lines { fill: none; }
.edge.resampled { stroke: transparent; stroke-width: 1.2; }
.lines.resampled { stroke: #8c959f; stroke-width: 1.2; stroke-dasharray: 5 4; }
.edge.claimed, .lines.claimed { stroke: #1f2328; stroke-width: 1.6; }
.edge.inert, .lines.inert { stroke: #9a6700; stroke-width: 1.6; stroke-dasharray: 1.5 3; stroke-linecap: round; }
.edge.unclaimed, .lines.unclaimed { stroke: #d0d7de; stroke-width: 1; }
.arrow.claimed { fill: #1f2328; }
.arrow.inert { fill: #9a6700; }
.arrow.resampled { fill: #8c959f; }
.arrow.unclaimed { fill: #d0d7de; }
.legend text { font-size: 11px; fill: #57606a; }
`;

export interface SvgOptions {
    /** A second line under the title (the file, say). */
    subtitle?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: number) => String(Math.round(v * 10) / 10);

/** A loss recovered as a fill colour: red at 0%, amber at 50%, green at 100% (clamped), light enough for dark text. */
export function effectColour(lossRecovered: number): string {
    const t = Math.min(1, Math.max(0, lossRecovered));
    return `hsl(${Math.round(120 * t)}, 70%, 82%)`;
}

function path(points: readonly Point[]): string {
    return points.map((p, k) => `${k === 0 ? 'M' : 'L'}${num(p.x)} ${num(p.y)}`).join(' ');
}

function boxSvg(b: PlacedBox, isGroup: boolean, read: boolean): string {
    const m = METRICS;
    // `read`: an input part or unclaimed node that a claimed edge leaves (what the claim reads).
    const classes = ['box', b.kind, ...(isGroup ? ['group'] : []), ...(b.claimed ? ['claimed'] : []), ...(read && !b.claimed ? ['read'] : [])].join(' ');
    const tip = [b.gNodes.length > 1 ? b.gNodes.join(', ') : b.gNodes[0] ?? b.label, b.detail,
        b.claim && `${b.claim.interpNodes.join(', ')}${b.claim.feature === null ? ' (no feature: computed on the example of the node that reads it)' : ` = ${b.claim.feature}`}`,
        b.claim?.effect && `alone: loss recovered ${(100 * b.claim.effect.lossRecovered).toFixed(1)}% (95% CI ${(100 * b.claim.effect.ci95[0]).toFixed(1)}–${(100 * b.claim.effect.ci95[1]).toFixed(1)})`]
        .filter(Boolean).join('\n');
    const out = [`<g class="${classes}" data-id="${esc(b.id)}"><title>${esc(tip)}</title>`];
    out.push(`<rect class="frame" x="${num(b.x)}" y="${num(b.y)}" width="${num(b.width)}" height="${num(b.height)}" rx="${isGroup ? 6 : 4}"/>`);
    if (b.kind === 'output') out.push(`<rect class="frame" x="${num(b.x + 3)}" y="${num(b.y + 3)}" width="${num(b.width - 6)}" height="${num(b.height - 6)}" rx="2" style="stroke-width:0.8"/>`);
    const left = b.x + m.pad + (b.kind === 'output' ? 3 : 0);
    let y = b.y + m.pad + m.labelSize - 1;
    out.push(`<text class="label" x="${num(left)}" y="${num(y)}">${esc(b.label)}</text>`);
    if (b.detailText) {
        y += m.detailLine;
        out.push(`<text class="detail" x="${num(left)}" y="${num(y)}">${esc(b.detailText)}</text>`);
    }
    if (b.claimLines) {
        const top = y + 7;
        const effect = b.claim?.effect;
        out.push(`<g class="claim${effect ? ' with-effect' : ''}"><rect class="badge" x="${num(left)}" y="${num(top)}" width="${num(b.x + b.width - m.pad - left)}" height="${claimHeight(b.claimLines.length)}" rx="3"${effect ? ` style="fill:${effectColour(effect.lossRecovered)}"` : ''}/>`);
        b.claimLines.forEach((line, k) => out.push(`<text x="${num(left + 6)}" y="${num(top + m.claimLine / 2 + 4 + k * (m.claimSize + 3))}">${esc(line)}</text>`));
        if (effect) out.push(`<text class="effect" x="${num(b.x + b.width - m.pad - 5)}" y="${num(top + m.claimLine / 2 + 4)}" text-anchor="end">${Math.round(100 * effect.lossRecovered)}%</text>`);
        out.push('</g>');
    }
    if (!isGroup) out.push('</g>');
    return out.join('');
}

/** A dashed style's lines, each shared segment drawn once (segments.ts); its edges' own paths then carry the arrowheads and tooltips. */
function unionSvg(edges: readonly PlacedEdge[], style: EdgeStyle): string {
    const segments = segmentUnion(edges.filter(e => e.style === style).map(e => e.points));
    return segments.length === 0 ? '' : `<path class="lines ${style}" d="${segments.map(([a, b]) => `M${num(a.x)} ${num(a.y)} L${num(b.x)} ${num(b.y)}`).join(' ')}"/>`;
}

function edgeSvg(e: PlacedEdge): string {
    if (e.points.length < 2) return '';
    const tip = e.gEdges.map(([p, c], k) => `${p} → ${c}${e.trials ? `: numerically inert, moved ${c} in 0 of ${e.trials[k]} trials` : ''}`).join('\n');
    return `<path class="edge ${e.style}" d="${path(e.points)}" marker-end="url(#arrow-${e.style})" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><title>${esc(`${tip}\n${STYLE_MEANING[e.style]}`)}</title></path>`;
}

const STYLE_MEANING: Record<EdgeStyle, string> = {
    claimed: 'claimed: an I-edge of the hypothesis',
    inert: 'claimed, numerically inert: perturbing the parent on dataset rows never moved the child (the model\'s graph has the edge, so it stands; the claim may be vacuous)',
    resampled: 'resampled: a G-parent no I-parent claims, from a random input',
    unclaimed: 'not claimed: the node it feeds is computed on a random input',
};

/** The edge styles of the legend and the markers: `inert` only where an edge is (it needs the numeric pass). */
function styles(layout: DrawingLayout): EdgeStyle[] {
    return layout.edges.some(e => e.style === 'inert') ? ['claimed', 'inert', 'resampled', 'unclaimed'] : ['claimed', 'resampled', 'unclaimed'];
}

/** The legend at height `y`, and how far right it reaches. */
function legendSvg(layout: DrawingLayout, y: number): { svg: string; right: number } {
    const items: string[] = [];
    let x = METRICS.margin;
    for (const style of styles(layout)) {
        items.push(`<path class="lines ${style}" d="M${x} ${y} L${x + 28} ${y}" marker-end="url(#arrow-${style})"/>`);
        const text = { claimed: 'claimed (I-edge)', inert: 'claimed, numerically inert', resampled: 'resampled from a random input', unclaimed: 'not claimed' }[style];
        items.push(`<text x="${x + 36}" y="${y + 4}">${text}</text>`);
        x += 36 + sansWidth(text, 11) + 24;
    }
    if (layout.boxes.some(b => b.claim?.effect)) {
        items.push(`<text x="${x}" y="${y + 4}">each claim alone:</text>`);
        x += sansWidth('each claim alone:', 11) + 8;
        for (const v of [0, 0.5, 1]) {
            items.push(`<rect x="${x}" y="${y - 7}" width="34" height="14" rx="3" style="fill:${effectColour(v)}"/><text x="${x + 17}" y="${y + 4}" text-anchor="middle" style="fill:#0b1f33">${100 * v}%</text>`);
            x += 38;
        }
    }
    return { svg: `<g class="legend">${items.join('')}</g>`, right: x + METRICS.margin };
}

/** The SVG document of a laid-out hypothesis. */
export function renderSvg(layout: DrawingLayout, options: SvgOptions = {}): string {
    const height = TITLE_BAND + layout.height + LEGEND_BAND;
    const legend = legendSvg(layout, TITLE_BAND + layout.height + LEGEND_BAND / 2);
    const width = Math.max(layout.width, legend.right);
    const containers = new Set(layout.boxes.flatMap(b => (b.parent ? [b.parent] : [])));
    const read = new Set(layout.edges.filter(e => e.style === 'claimed' || e.style === 'inert').map(e => e.from));
    const markers = styles(layout).map(s =>
        `<marker id="arrow-${s}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow ${s}" d="M0 1 L9 5 L0 9 z"/></marker>`).join('');
    // A container's <g> stays open around its parts, so the webview can tell what is inside what.
    const body: string[] = [];
    const open: string[] = [];
    for (const b of layout.boxes) {
        while (open.length > 0 && open[open.length - 1] !== b.parent) {
            open.pop();
            body.push('</g>');
        }
        body.push(boxSvg(b, containers.has(b.id), read.has(b.id)));
        if (containers.has(b.id)) open.push(b.id);
    }
    body.push('</g>'.repeat(open.length));
    const title = `hypothesis ${layout.hypothesis}`;
    return `<svg xmlns="http://www.w3.org/2000/svg" class="hyp-drawing" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family='${METRICS.fonts.sans}'>`
        + `<title>${esc(title)}</title><style>${SVG_STYLE}</style><defs>${markers}</defs>`
        + `<text class="hyp-title" x="${METRICS.margin}" y="20">${esc(title)}</text>`
        + (options.subtitle ? `<text class="hyp-subtitle" x="${METRICS.margin + 16 + Math.ceil(title.length * 8.2)}" y="20">${esc(options.subtitle)}</text>` : '')
        + `<g class="graph" transform="translate(0 ${TITLE_BAND})">${body.join('')}${unionSvg(layout.edges, 'resampled')}${layout.edges.map(edgeSvg).join('')}</g>`
        + legend.svg
        + '</svg>\n';
}
