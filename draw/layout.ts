// The geometry of a scene: elkjs's layered (Sugiyama) algorithm, left to right from the input to
// the output, with the parts of a split hook laid out inside its box (hierarchy handling across
// levels, so an edge from a part goes straight to the part it feeds) and orthogonal edges. The
// synchronous in-process build of elkjs runs in the CLI and in the language server alike; its
// output depends only on its input, so the same scene always gets the same picture.
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Scene, SceneBox, SceneEdge } from './scene.js';
import { MONO, monoWidth, SANS, sansWidth, shorten } from './text-width.js';

export interface Point {
    x: number;
    y: number;
}

export interface PlacedBox extends SceneBox {
    x: number;
    y: number;
    width: number;
    height: number;
    /** The claim's text as drawn: wrapped, and shortened when very long. */
    claimLines?: string[];
    /** The detail line as drawn. */
    detailText?: string;
}

export interface PlacedEdge extends SceneEdge {
    points: Point[];
}

export interface DrawingLayout {
    hypothesis: string;
    width: number;
    height: number;
    /** Containers before what they contain. */
    boxes: PlacedBox[];
    edges: PlacedEdge[];
}

// The file is CommonJS whose module.exports is the constructor, while its types declare an ES
// default export: Node and esbuild hand over the constructor itself, a transpiler may wrap it.
const ElkConstructor = ((ElkModule as unknown as { default?: unknown }).default ?? ElkModule) as unknown as new () => ElkApi;

/** Sizes and spacing of the drawing, in px (shared with the renderer so text fits its box). */
export const METRICS = {
    labelSize: 13,
    detailSize: 10,
    claimSize: 11,
    pad: 8,
    labelLine: 17,
    detailLine: 13,
    claimLine: 20,
    groupTop: 38,
    margin: 16,
    claimLineChars: 40,
    maxClaimLines: 3,
    maxDetailChars: 44,
    effectWidth: 38,
    fonts: { sans: SANS, mono: MONO },
} as const;

/** `a = z[0] > 3` (wrapped at spaces), or the names alone for a node without a feature. */
export function claimLines(box: SceneBox): string[] | undefined {
    const c = box.claim;
    if (!c) return undefined;
    const names = c.interpNodes.length > 2 ? `${c.interpNodes[0]} … ${c.interpNodes[c.interpNodes.length - 1]}` : c.interpNodes.join(', ');
    return wrap(c.feature === null ? names : `${names} = ${c.feature}`, METRICS.claimLineChars, METRICS.maxClaimLines);
}

/** Lines of at most `width` characters, broken after spaces where possible; the last one shortened when the text does not fit. */
export function wrap(text: string, width: number, maxLines: number): string[] {
    const lines: string[] = [];
    let rest = text;
    while (rest.length > width && lines.length < maxLines - 1) {
        const cut = rest.lastIndexOf(' ', width);
        const at = cut > width / 3 ? cut + 1 : width;
        lines.push(rest.slice(0, at).trimEnd());
        rest = rest.slice(at);
    }
    lines.push(shorten(rest, width));
    return lines;
}

function leafSize(box: SceneBox, detail: string | undefined, claim: string[] | undefined): { width: number; height: number } {
    const m = METRICS;
    const widths = [sansWidth(box.label, m.labelSize)];
    if (detail) widths.push(sansWidth(detail, m.detailSize));
    if (claim) widths.push(Math.max(...claim.map(l => monoWidth(l, m.claimSize))) + 12 + (box.claim?.effect ? m.effectWidth : 0));
    const width = Math.max(56, Math.max(...widths) + 2 * m.pad + (box.kind === 'output' ? 6 : 0));
    const height = m.pad + m.labelLine + (detail ? m.detailLine : 0) + (claim ? claimHeight(claim.length) + 4 : 0) + m.pad - 2;
    return { width, height };
}

/** The height of a claim badge of `lines` lines. */
export function claimHeight(lines: number): number {
    return METRICS.claimLine + (lines - 1) * (METRICS.claimSize + 3);
}

/** Lays out a scene. */
export async function layoutScene(scene: Scene): Promise<DrawingLayout> {
    const m = METRICS;
    const texts = new Map(scene.boxes.map(b => [b.id, { detail: b.detail ? shorten(b.detail, m.maxDetailChars) : undefined, claim: claimLines(b) }]));
    const containers = new Set(scene.boxes.flatMap(b => (b.parent ? [b.parent] : [])));
    const portsOf = new Map<string, Set<string>>();
    const port = (box: string, side: 'in' | 'out', style: string) => {
        const id = `${box}#${side}:${style}`;
        let ports = portsOf.get(box);
        if (!ports) portsOf.set(box, ports = new Set());
        ports.add(id);
        return id;
    };
    const elkEdges = scene.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [port(e.from, 'out', e.style)], targets: [port(e.to, 'in', e.style)] }));
    const elkNodes = new Map<string, ElkNode>();
    const root: ElkNode = {
        id: '$root',
        layoutOptions: {
            'elk.algorithm': 'layered',
            'elk.direction': 'RIGHT',
            'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
            'elk.edgeRouting': 'ORTHOGONAL',
            'elk.spacing.nodeNode': '18',
            'elk.spacing.edgeNode': '12',
            'elk.spacing.edgeEdge': '8',
            'elk.layered.spacing.nodeNodeBetweenLayers': '44',
            'elk.layered.spacing.edgeNodeBetweenLayers': '16',
            // The file's order (parts p0, p1, … top to bottom) where crossings allow. Weighing
            // order against crossings (a positive crossingCounterNodeInfluence) made the paren
            // example's 54 boxes take 30 s instead of 1 s, and kept the order no better.
            'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
            'elk.layered.considerModelOrder.crossingCounterNodeInfluence': '0',
            'elk.padding': `[top=${m.margin},left=${m.margin},bottom=${m.margin},right=${m.margin}]`,
            'elk.json.shapeCoords': 'ROOT',
            'elk.json.edgeCoords': 'ROOT',
        },
        children: [],
        edges: [],
    };
    for (const b of scene.boxes) {
        const t = texts.get(b.id)!;
        let node: ElkNode;
        if (containers.has(b.id)) {
            const header = Math.max(sansWidth(b.label, m.labelSize), t.detail ? sansWidth(t.detail, m.detailSize) : 0) + 2 * m.pad;
            node = {
                id: b.id, children: [],
                layoutOptions: {
                    'elk.padding': `[top=${m.groupTop},left=10,bottom=10,right=10]`,
                    'elk.nodeSize.constraints': 'MINIMUM_SIZE',
                    'elk.nodeSize.minimum': `(${header}, ${m.groupTop + 20})`,
                    'elk.spacing.nodeNode': '8',
                },
            };
        } else {
            // One port per side and edge style: edges of one style into a box meet before it (a
            // bus, not a fan of arrowheads along its side), and a solid edge never shares a
            // segment with a dashed one.
            node = {
                id: b.id, ...leafSize(b, t.detail, t.claim),
                layoutOptions: { 'elk.portConstraints': 'FIXED_SIDE' },
                ports: [...(portsOf.get(b.id) ?? [])].sort().map(id => ({
                    id, width: 1, height: 1, layoutOptions: { 'elk.port.side': id.includes('#in:') ? 'WEST' : 'EAST' },
                })),
            };
        }
        elkNodes.set(b.id, node);
        const parent = b.parent ? elkNodes.get(b.parent) : root;
        if (!parent) throw new Error(`box ${b.id} comes before its container ${b.parent}`);
        parent.children!.push(node);
    }
    root.edges = elkEdges;
    const laid = await new ElkConstructor().layout(root);

    const placed = new Map<string, ElkNode>();
    const walk = (n: ElkNode) => {
        for (const c of n.children ?? []) {
            placed.set(c.id, c);
            walk(c);
        }
    };
    walk(laid);
    const edgePoints = new Map<string, Point[]>();
    for (const e of laid.edges ?? []) {
        const points: Point[] = [];
        for (const s of e.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
        edgePoints.set(e.id, points.map(p => ({ x: round(p.x), y: round(p.y) })));
    }
    return {
        hypothesis: scene.hypothesis,
        width: round(laid.width ?? 0),
        height: round(laid.height ?? 0),
        boxes: scene.boxes.map(b => {
            const n = placed.get(b.id)!;
            const t = texts.get(b.id)!;
            return { ...b, x: round(n.x ?? 0), y: round(n.y ?? 0), width: round(n.width ?? 0), height: round(n.height ?? 0),
                ...(t.claim !== undefined && { claimLines: t.claim }), ...(t.detail !== undefined && { detailText: t.detail }) };
        }),
        edges: scene.edges.map(e => ({ ...e, points: edgePoints.get(e.id) ?? [] })),
    };
}

/** Coordinates to a tenth of a pixel: enough for any screen or print, and no float noise in the SVG. */
function round(v: number): number {
    return Math.round(v * 10) / 10;
}
