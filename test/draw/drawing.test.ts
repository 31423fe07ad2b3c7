// The drawing of a hypothesis, checked structurally on the bundled toy and paren examples: every
// claimed edge drawn solid, every resampled G-parent dashed, no two boxes overlapping, every I node
// on its G node, the same bytes every time.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawHypothesis } from '../../draw/draw-hypothesis.js';
import type { DrawingLayout, PlacedBox } from '../../draw/layout.js';
import { buildScene, type DrawnGraph } from '../../draw/scene.js';
import type { GNode, GraphG } from '../../engine/graph/types.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { perturbPartsFile } from '../../engine/runtime/perturb-parts.js';
import { CUMSUM_HYP, removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';
import type { HypothesisSpec, ScrubSpec } from '../../engine/spec.js';
import { checkHypFile } from '../../language/check-file.js';
import { root } from '../fixtures/cli.js';

interface Example {
    spec: ScrubSpec;
    g: GraphG;
}

async function example(path: string): Promise<Example> {
    const { spec, g, diagnostics } = await checkHypFile(join(root, path), { prober: probeModelFile });
    if (!spec || !g) throw new Error(`${path} does not check: ${diagnostics.map(d => d.message).join('; ')}`);
    return { spec, g };
}

/** The G-edges the hypothesis claims (c(p) → c(n) for each I-edge) and those it resamples (other G-parents of a claimed node). */
function expectedEdges(g: GraphG, h: HypothesisSpec): { claimed: string[]; resampled: string[] } {
    const gOf = new Map(h.nodes.map(n => [n.name, n.graphNode]));
    const claimed: string[] = [], resampled: string[] = [];
    for (const n of h.nodes) {
        const parents = new Set(n.parents.map(p => gOf.get(p) ?? p));
        for (const p of g.partParents(n.graphNode)) (parents.has(p) ? claimed : resampled).push(`${p} -> ${n.graphNode}`);
    }
    return { claimed, resampled };
}

function drawnEdges(layout: DrawingLayout, style: string): Set<string> {
    return new Set(layout.edges.filter(e => e.style === style).flatMap(e => e.gEdges.map(([p, c]) => `${p} -> ${c}`)));
}

const inside = (a: PlacedBox, b: PlacedBox) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
const overlap = (a: PlacedBox, b: PlacedBox) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Checks every structural promise of the drawing of `h`. */
function checkStructure(g: GraphG, h: HypothesisSpec, layout: DrawingLayout, svg: string): void {
    const { claimed, resampled } = expectedEdges(g, h);
    const solid = drawnEdges(layout, 'claimed'), dashed = drawnEdges(layout, 'resampled');
    for (const e of claimed) expect(solid, `${h.name}: ${e} is claimed`).toContain(e);
    for (const e of resampled) expect(dashed, `${h.name}: ${e} is resampled`).toContain(e);
    expect(solid.size, `${h.name}: nothing but claimed edges is solid`).toBe(new Set(claimed).size);
    expect(dashed.size).toBe(new Set(resampled).size);
    // In the SVG: solid edges as solid paths with arrowheads, dashed ones through the dashed union.
    for (const e of layout.edges) {
        expect(svg).toContain(`<path class="edge ${e.style}" d="M`);
        expect(e.points.length, `${e.id} is routed`).toBeGreaterThanOrEqual(2);
    }
    if (resampled.length > 0) expect(svg).toMatch(/<path class="lines resampled" d="M/);
    expect(svg).toMatch(/\.lines\.resampled \{[^}]*stroke-dasharray: 5 4/);
    expect(svg).not.toMatch(/\.edge\.claimed, \.lines\.claimed \{[^}]*dasharray/);

    const byId = new Map(layout.boxes.map(b => [b.id, b]));
    const ancestors = (b: PlacedBox): string[] => (b.parent ? [b.parent, ...ancestors(byId.get(b.parent)!)] : []);
    for (const b of layout.boxes) {
        expect(b.width, b.id).toBeGreaterThan(0);
        if (b.parent) expect(inside(b, byId.get(b.parent)!), `${b.id} inside ${b.parent}`).toBe(true);
    }
    for (const [i, a] of layout.boxes.entries()) {
        for (const b of layout.boxes.slice(i + 1)) {
            if (ancestors(a).includes(b.id) || ancestors(b).includes(a.id)) continue;
            expect(overlap(a, b), `${h.name}: ${a.id} and ${b.id} overlap`).toBe(false);
        }
    }
    // Every I node on the box of its G node; the output marked.
    for (const n of h.nodes.filter(x => x.graphNode !== 'output')) {
        const box = layout.boxes.find(b => b.claim?.interpNodes.includes(n.name));
        expect(box?.gNodes, `${h.name}: ${n.name}`).toContain(n.graphNode);
    }
    expect(layout.boxes.filter(b => b.kind === 'output').map(b => b.gNodes)).toEqual([['output']]);
    expect(svg).toMatch(/<g class="box output claimed" data-id="n:output">/);
}

describe('the drawing of a hypothesis', () => {
    let toy: Example, paren: Example;
    beforeAll(async () => {
        [toy, paren] = await Promise.all([example('examples/toy/toy.hyp'), example('examples/paren/paren.hyp')]);
    }, 120_000);

    it('draws every toy hypothesis with claimed edges solid, resampled parents dashed and no overlapping boxes', async () => {
        for (const h of toy.spec.hypotheses) {
            const { layout, svg } = await drawHypothesis(toy.g, h);
            checkStructure(toy.g, h, layout, svg);
        }
    });

    it('shows the toy correct hypothesis as the write-up draws it: A and B read z1 and z2, D reads both, C is resampled', async () => {
        const h = toy.spec.hypotheses.find(x => x.name === 'correct')!;
        const { layout, svg } = await drawHypothesis(toy.g, h);
        const edge = (from: string, to: string) => layout.edges.find(e => e.from === `n:${from}` && e.to === `n:${to}`)?.style;
        expect(edge('input.z1', 'A')).toBe('claimed');
        expect(edge('input.z2', 'B')).toBe('claimed');
        expect(edge('A', 'D')).toBe('claimed');
        expect(edge('C', 'D')).toBe('resampled');
        expect(edge('input.z3', 'C')).toBe('unclaimed');
        expect(edge('D', 'output')).toBe('claimed');
        expect(layout.boxes.find(b => b.id === 'n:A')?.claimLines).toEqual(['a = z[0] > 3']);
        expect(layout.boxes.find(b => b.id === 'n:C')?.claimed).toBe(false);
        // The input's parts sit inside the input's box, left of everything they feed.
        const z1 = layout.boxes.find(b => b.id === 'n:input.z1')!, a = layout.boxes.find(b => b.id === 'n:A')!;
        expect(z1.parent).toBe('h:input');
        expect(z1.x + z1.width).toBeLessThan(a.x);
        expect(svg).toContain('>d = a or b<');
    });

    it('draws every paren hypothesis structurally right, its 42 position parts as one box where they are claimed alike', async () => {
        for (const h of paren.spec.hypotheses) {
            const { layout, svg } = await drawHypothesis(paren.g, h);
            checkStructure(paren.g, h, layout, svg);
        }
        const claim1 = await drawHypothesis(paren.g, paren.spec.hypotheses.find(x => x.name === 'claim1')!);
        const merged = claim1.layout.boxes.find(b => b.id === 'n:A1.p0..A1.p41')!;
        expect(merged.gNodes).toHaveLength(42);
        expect(merged.detail).toBe('42 parts');
        expect(merged.claim?.interpNodes).toHaveLength(42);
        // Claim 3 gives each position its own feature: 42 boxes, each with its own.
        const claim3 = await drawHypothesis(paren.g, paren.spec.hypotheses.find(x => x.name === 'claim3')!);
        const parts = claim3.layout.boxes.filter(b => b.parent === 'h:A1');
        expect(parts).toHaveLength(42);
        // In the file's order, top to bottom.
        expect([...parts].sort((a, b) => a.y - b.y).map(b => b.label)).toEqual(Array.from({ length: 42 }, (_, i) => `p${i}`));
    }, 120_000);

    it('gives the same bytes for the same hypothesis, and different ones when the hypothesis changes', async () => {
        const h = paren.spec.hypotheses.find(x => x.name === 'claim2')!;
        const [a, b] = await Promise.all([drawHypothesis(paren.g, h), drawHypothesis(paren.g, h)]);
        expect(a.svg).toBe(b.svg);
        expect(a.svg).not.toMatch(/\d{4}-\d{2}-\d{2}|NaN|undefined/);
        const fewer = { ...h, nodes: h.nodes.map(n => (n.graphNode === 'output' ? { ...n, parents: n.parents.slice(1) } : n)) };
        expect((await drawHypothesis(paren.g, fewer)).svg).not.toBe(a.svg);
    });

    it('colours an I node by its own effect and says the number on it', async () => {
        const h = toy.spec.hypotheses.find(x => x.name === 'correct')!;
        const { layout, svg } = await drawHypothesis(toy.g, h, { effects: { a: { lossRecovered: 0.873, ci95: [0.86, 0.88] }, b: { lossRecovered: 0.02, ci95: [0, 0.05] } } });
        expect(layout.boxes.find(b => b.id === 'n:A')?.claim?.effect?.lossRecovered).toBe(0.873);
        expect(svg).toContain('>87%<');
        expect(svg).toContain('>2%<');
        expect(svg).toContain('style="fill:hsl(105, 70%, 82%)"');
        expect(svg).toContain('alone: loss recovered 87.3% (95% CI 86.0–88.0)');
    });
});

describe('the scene: what is drawn before any geometry', () => {
    /** A chain input → H1 → … → Hk → T → output over whole tensors. */
    function chain(k: number): DrawnGraph {
        const names = ['input', ...Array.from({ length: k }, (_, i) => `H${i + 1}`), 'T', 'output'];
        const nodes = new Map<string, GNode>(names.map(name => [name, { name, kind: name === 'input' ? 'input' : name === 'output' ? 'output' : 'hook', tensors: [{ tensor: name.toLowerCase(), coverage: { kind: 'all' } }] }]));
        return { nodes, partParents: n => (n === 'input' ? [] : [names[names.indexOf(n) - 1]]) };
    }
    const readsT: HypothesisSpec = {
        name: 'h', options: { samples: 2, seed: 0, ablation: 'resample', unimportant: 'shared' },
        nodes: [{ name: 't', graphNode: 'T', feature: null, parents: [] }, { name: 'output', graphNode: 'output', feature: null, parents: ['t'] }],
    };

    it('collapses a region of three or more unclaimed hook points into one box, keeping the edge out of it resampled', () => {
        const scene = buildScene(chain(4), readsT);
        const region = scene.boxes.find(b => b.kind === 'region')!;
        expect(region.gNodes).toEqual(['H1', 'H2', 'H3', 'H4']);
        expect(region.label).toBe('4 unclaimed hook points');
        expect(scene.edges.map(e => `${e.from} ${e.to} ${e.style}`)).toEqual([`n:input ${region.id} unclaimed`, `${region.id} n:T resampled`, 'n:T n:output claimed']);
    });

    it('leaves two unclaimed hook points as they are, and collapses nothing when told not to', () => {
        expect(buildScene(chain(2), readsT).boxes.some(b => b.kind === 'region')).toBe(false);
        expect(buildScene(chain(4), readsT, { collapseUnclaimed: 0 }).boxes.filter(b => b.kind === 'hook')).toHaveLength(5);
    });
});

describe('numerically inert edges in the drawing', () => {
    afterAll(removeInertCases);
    const CUMSUM = CUMSUM_HYP;

    it('draws a claimed edge the numeric pass found inert dotted, with the trials in its title and a legend entry; none without it', async () => {
        const dir = writeCumsumCase();
        writeFileSync(join(dir, 'test.hyp'), CUMSUM);
        const { spec, g, numeric } = await checkHypFile(join(dir, 'test.hyp'), { prober: probeModelFile, perturber: perturbPartsFile });
        const h = spec!.hypotheses[0];
        const { layout, svg } = await drawHypothesis(g!, h, { numeric: numeric!, mergeParts: 0 });
        const edge = (from: string) => layout.edges.filter(e => e.from === `n:${from}` && e.to === 'n:A.a0').map(e => e.style);
        expect(edge('input.z0')).toEqual(['claimed']);
        expect(edge('input.z2')).toEqual(['inert']);
        expect(edge('input.z1')).toEqual(['resampled']);
        expect(svg).toMatch(/<path class="edge inert" d="M[^"]*" marker-end="url\(#arrow-inert\)"[^>]*><title>input\.z2 → A\.a0: numerically inert, moved A\.a0 in 0 of 32 trials\nclaimed, numerically inert: perturbing the parent on dataset rows never moved the child/);
        expect(svg).toMatch(/\.edge\.inert, \.lines\.inert \{[^}]*stroke-dasharray: 1\.5 3/);
        expect(svg).toContain('<marker id="arrow-inert"');
        expect(svg).toMatch(/<g class="legend">.*<path class="lines inert"[^>]*\/><text[^>]*>claimed, numerically inert<\/text>/);
        // The claim still reads its parent: the input part is drawn as read.
        expect(svg).toMatch(/<g class="box part read" data-id="n:input\.z2">/);
        const plain = (await drawHypothesis(g!, h, { mergeParts: 0 })).svg;
        expect(plain).not.toMatch(/class="[^"]*\binert\b|arrow-inert|numerically inert/);
    }, 60_000);
});

