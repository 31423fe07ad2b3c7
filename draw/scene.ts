// What the drawing of a hypothesis shows, before any geometry: G's nodes as boxes (a split hook
// point is a box holding its parts), each I node on its G node with its feature, and every
// part-level G-edge into a node, styled by what the hypothesis does with it (DESIGN.md §2.3): an
// edge its I-edges claim is solid, a G-parent of a claimed node that no I-parent claims is
// resampled from a random input (dashed grey), an edge into a node the hypothesis does not claim
// is faint (that node is computed on a random input, whatever it reads); a claimed edge the
// numeric pass found inert (graph/perturb-queries.ts) is dotted. Big graphs stay readable
// by two rules that hold on any G: a run of parts of one hook drawn alike (same claim, same edges)
// is one box, and a connected region of hook points no claim touches is one box.
import type { GraphG } from '../engine/graph/types.js';
import { inertEdge, type PartEvidence } from '../engine/graph/perturb-queries.js';
import type { HypothesisSpec } from '../engine/spec.js';
import { featureText } from './feature-text.js';

/** `inert`: claimed, but no perturbation of the parent on dataset rows moved the child (the edge stands). */
export type EdgeStyle = 'claimed' | 'inert' | 'resampled' | 'unclaimed';

/** An I node's own effect: loss recovered when only its claim is scrubbed. */
export interface NodeEffect {
    lossRecovered: number;
    ci95: [number, number];
}

/** The I node(s) a box carries (several only where equal parts were merged). */
export interface Claim {
    interpNodes: string[];
    /** The feature as source text; null for a node written without one. */
    feature: string | null;
    effect?: NodeEffect;
}

export interface SceneBox {
    /** Stable across redraws of the same G and hypothesis: `n:<G node>`, `h:<hook>`, `n:<first>..<last>`, `r:<first>`. */
    id: string;
    kind: 'input' | 'hook' | 'part' | 'output' | 'region';
    label: string;
    /** A second line: the tensor, or what a merged box stands for. */
    detail?: string;
    /** The box it sits in (a part's hook point). */
    parent?: string;
    /** The G nodes it stands for (none for a group: its parts do). */
    gNodes: string[];
    /** Whether an I node (or the hypothesis's output) is mapped here. */
    claimed: boolean;
    claim?: Claim;
}

export interface SceneEdge {
    /** `<from box>-><to box>:<style>`. */
    id: string;
    from: string;
    to: string;
    style: EdgeStyle;
    /** The part-level G-edges (parent, child) it stands for. */
    gEdges: [string, string][];
    /** An inert edge's trials, one per G-edge: perturbing the parent moved the child in none of them. */
    trials?: number[];
}

export interface Scene {
    hypothesis: string;
    boxes: SceneBox[];
    edges: SceneEdge[];
}

export interface SceneOptions {
    /** I node → its own effect, from a scrub with node effects. */
    effects?: Readonly<Record<string, NodeEffect>>;
    /** Runs of at least this many alike parts become one box (0: never). Default 3. */
    mergeParts?: number;
    /** Regions of at least this many unclaimed hook points become one box (0: never). Default 3. */
    collapseUnclaimed?: number;
    /** The numeric pass's evidence (`hyp check`, the editor): claimed edges it found inert are drawn so. */
    numeric?: PartEvidence;
}

/** The part of G the drawing reads. */
export type DrawnGraph = Pick<GraphG, 'nodes' | 'partParents'>;

/** The scene of `hypothesis` over G. */
export function buildScene(g: DrawnGraph, hypothesis: HypothesisSpec, options: SceneOptions = {}): Scene {
    const interpOf = new Map(hypothesis.nodes.map(n => [n.graphNode, n]));
    const gOfInterp = new Map(hypothesis.nodes.map(n => [n.name, n.graphNode]));
    const boxes: SceneBox[] = [];
    const boxOf = new Map<string, string>();
    const groups = new Map<string, SceneBox>();
    for (const n of g.nodes.values()) {
        const tensor = n.tensors.map(t => t.tensor).join(', ');
        const i = interpOf.get(n.name);
        const claim: Claim | undefined = i && n.kind !== 'output'
            ? { interpNodes: [i.name], feature: i.feature ? featureText(i.feature) : null, ...(options.effects?.[i.name] && { effect: options.effects[i.name] }) }
            : undefined;
        const dot = n.name.indexOf('.');
        const common = { gNodes: [n.name], claimed: i !== undefined, ...(claim && { claim }) };
        if (dot > 0 && n.kind !== 'output') {
            // A part: in a box for its hook point (or the input), which carries the tensor.
            const hook = n.name.slice(0, dot);
            const group = `h:${hook}`;
            const box = groups.get(group);
            if (!box) {
                groups.set(group, { id: group, kind: n.kind === 'input' ? 'input' : 'hook', label: hook, detail: tensor, gNodes: [], claimed: false });
                boxes.push(groups.get(group)!);
            } else if (box.detail !== tensor) {
                // Parts of a rewrite into a sum each have a tensor of their own: no one tensor to name.
                delete box.detail;
            }
            boxes.push({ id: `n:${n.name}`, kind: 'part', label: n.name.slice(dot + 1), parent: group, ...common });
        } else {
            boxes.push({ id: `n:${n.name}`, kind: n.kind, label: n.name, ...(tensor !== n.name && { detail: tensor }), ...common });
        }
        boxOf.set(n.name, `n:${n.name}`);
    }

    const gEdges: DrawnEdge[] = [];
    for (const n of g.nodes.values()) {
        if (n.kind === 'input') continue;
        const i = interpOf.get(n.name);
        const claimedParents = new Set(i?.parents.map(p => gOfInterp.get(p) ?? p));
        for (const p of g.partParents(n.name)) {
            const style: EdgeStyle = i === undefined ? 'unclaimed' : claimedParents.has(p) ? 'claimed' : 'resampled';
            const inert = style === 'claimed' ? inertEdge(options.numeric, n.name, p) : undefined;
            gEdges.push(inert ? { from: p, to: n.name, style: 'inert', trials: inert.trials } : { from: p, to: n.name, style });
        }
    }

    let scene = { boxes, boxOf };
    if ((options.mergeParts ?? 3) > 0) scene = mergeAlikeParts(scene.boxes, scene.boxOf, gEdges, options.mergeParts ?? 3);
    if ((options.collapseUnclaimed ?? 3) > 0) scene = collapseUnclaimed(scene.boxes, scene.boxOf, gEdges, options.collapseUnclaimed ?? 3);
    return { hypothesis: hypothesis.name, boxes: scene.boxes, edges: sceneEdges(gEdges, scene.boxOf) };
}

interface DrawnEdge {
    from: string;
    to: string;
    style: EdgeStyle;
    /** An inert edge's trials. */
    trials?: number;
}

/** G-edges between boxes, one per (from, to, style); edges inside one box are dropped. */
function sceneEdges(gEdges: DrawnEdge[], boxOf: ReadonlyMap<string, string>): SceneEdge[] {
    const edges = new Map<string, SceneEdge>();
    for (const e of gEdges) {
        const from = boxOf.get(e.from), to = boxOf.get(e.to);
        if (from === undefined || to === undefined || from === to) continue;
        const id = `${from}->${to}:${e.style}`;
        let edge = edges.get(id);
        if (!edge) edges.set(id, edge = { id, from, to, style: e.style, gEdges: [] });
        edge.gEdges.push([e.from, e.to]);
        if (e.trials !== undefined) (edge.trials ??= []).push(e.trials);
    }
    return [...edges.values()];
}

/** Consecutive parts of one hook that are drawn alike become one box when there are at least `min`. */
function mergeAlikeParts(boxes: SceneBox[], boxOf: Map<string, string>, gEdges: DrawnEdge[], min: number) {
    const ins = new Map<string, string[]>(), outs = new Map<string, string[]>();
    for (const e of gEdges) {
        push(ins, e.to, `${e.from}|${e.style}`);
        push(outs, e.from, `${e.to}|${e.style}`);
    }
    const signature = (b: SceneBox) => {
        const n = b.gNodes[0];
        return JSON.stringify([b.claimed, b.claim?.feature, b.claim?.effect ?? null, [...(ins.get(n) ?? [])].sort(), [...(outs.get(n) ?? [])].sort()]);
    };
    const out: SceneBox[] = [];
    for (let k = 0; k < boxes.length;) {
        const b = boxes[k];
        let end = k + 1;
        if (b.kind === 'part') {
            const s = signature(b);
            while (end < boxes.length && boxes[end].kind === 'part' && boxes[end].parent === b.parent && signature(boxes[end]) === s) end++;
        }
        if (end - k < min) {
            out.push(b);
            k++;
            continue;
        }
        const run = boxes.slice(k, end);
        const last = run[run.length - 1];
        const gNodes = run.flatMap(r => r.gNodes);
        const id = `n:${b.gNodes[0]}..${last.gNodes[0]}`;
        out.push({
            id, kind: 'part', label: `${b.label} … ${last.label}`, detail: `${run.length} parts`, parent: b.parent, gNodes, claimed: b.claimed,
            ...(b.claim && { claim: { ...b.claim, interpNodes: run.flatMap(r => r.claim?.interpNodes ?? []) } }),
        });
        for (const n of gNodes) boxOf.set(n, id);
        k = end;
    }
    return { boxes: out, boxOf };
}

/** Connected regions of at least `min` top-level hook boxes without a claim become one box each. */
function collapseUnclaimed(boxes: SceneBox[], boxOf: Map<string, string>, gEdges: DrawnEdge[], min: number) {
    const top = (id: string) => boxes.find(b => b.id === id)?.parent ?? id;
    const unclaimed = new Set(boxes.filter(b => b.kind === 'hook' && b.parent === undefined).map(b => b.id));
    for (const b of boxes) if (b.claimed) unclaimed.delete(top(b.id));
    // Union-find over the unclaimed top-level boxes joined by a G-edge.
    const root = new Map([...unclaimed].map(u => [u, u]));
    const find = (u: string): string => (root.get(u) === u ? u : find(root.get(u)!));
    for (const e of gEdges) {
        const a = boxOf.get(e.from), b = boxOf.get(e.to);
        if (a === undefined || b === undefined) continue;
        const ta = top(a), tb = top(b);
        if (unclaimed.has(ta) && unclaimed.has(tb)) root.set(find(ta), find(tb));
    }
    const members = new Map<string, string[]>();
    for (const b of boxes) if (unclaimed.has(b.id)) push(members, find(b.id), b.id);
    const regionOf = new Map<string, string>();
    const out: SceneBox[] = [];
    for (const b of boxes) {
        const t = top(b.id);
        const group = unclaimed.has(t) ? members.get(find(t))! : undefined;
        if (!group || group.length < min) {
            out.push(b);
            continue;
        }
        if (b.id !== group[0]) {
            regionOf.set(b.id, `r:${group[0].slice(2)}`);
            continue;
        }
        const id = `r:${b.id.slice(2)}`;
        const tops = group.map(m => boxes.find(x => x.id === m)!);
        out.push({ id, kind: 'region', label: `${group.length} unclaimed hook points`, detail: tops.map(x => x.label).join(', '), gNodes: [], claimed: false });
        regionOf.set(b.id, id);
    }
    for (const [n, box] of boxOf) {
        const region = regionOf.get(top(box)) ?? regionOf.get(box);
        if (region !== undefined) {
            boxOf.set(n, region);
            out.find(x => x.id === region)!.gNodes.push(n);
        }
    }
    return { boxes: out, boxOf };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
}
