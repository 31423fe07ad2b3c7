import { describe, expect, it } from 'vitest';
import type { GNode, GraphG } from '../../engine/graph/types.js';
import type { PlanNode } from '../../engine/plan/planner.js';
import { describePlanSize, estimatePlanSize, isExponential } from '../../engine/plan/plan-size.js';

/**
 * A hand-made layered G: x → Z0 → … → Z(L-1) → logits, each Zl split into heads h0…h(H-1) and,
 * with `rest`, a part no hypothesis below claims (as a raw export's undeclared `.rest`).
 */
function layeredG(layers: number, heads: number, rest: boolean): GraphG {
    const tensor = (l: number) => (l < 0 ? 'x' : l === layers ? 'logits' : `Z${l}`);
    const parts = (l: number) => [...Array.from({ length: heads }, (_, k) => `Z${l}.h${k}`), ...(rest ? [`Z${l}.rest`] : [])];
    const nodes = new Map<string, GNode>();
    nodes.set('input', { name: 'input', kind: 'input', tensors: [{ tensor: 'x', coverage: { kind: 'all' } }] });
    for (let l = 0; l < layers; l++) {
        for (const p of parts(l)) {
            const k = p.endsWith('.rest') ? -1 : Number(p.split('.h')[1]);
            nodes.set(p, { name: p, kind: 'hook', tensors: [{ tensor: tensor(l), coverage: { kind: 'part', part: { name: p.split('.')[1], indices: k < 0 ? [heads] : [k] }, axis: 1 } }] });
        }
    }
    nodes.set('output', { name: 'output', kind: 'output', tensors: [{ tensor: 'logits', coverage: { kind: 'all' } }] });
    const layerOf = (t: string) => (t === 'x' ? -1 : t === 'logits' ? layers : Number(t.slice(1)));
    const nodesOfTensor = (t: string) => (t === 'x' ? ['input'] : t === 'logits' ? ['output'] : parts(layerOf(t)));
    const tensorParents = (t: string) => (t === 'x' ? [] : [tensor(layerOf(t) - 1)]);
    const parents = (n: string) => tensorParents(nodes.get(n)!.tensors[0].tensor).flatMap(nodesOfTensor);
    return {
        nodes, computedTensors: [...Array.from({ length: layers }, (_, l) => tensor(l)), 'logits'],
        tensorParents, nodesOfTensor, parents, partParents: parents, between: () => [], isAncestor: () => false,
    };
}

/** Every head computed from every head below it, no features: the identity at head granularity. */
function headIdentity(layers: number, heads: number): PlanNode[] {
    const name = (l: number, k: number) => `a${l}_${k}`;
    const below = (l: number) => (l === 0 ? ['input'] : Array.from({ length: heads }, (_, k) => name(l - 1, k)));
    const nodes: PlanNode[] = [];
    for (let l = 0; l < layers; l++) for (let k = 0; k < heads; k++) nodes.push({ name: name(l, k), graphNode: `Z${l}.h${k}`, parents: below(l), classes: null });
    nodes.push({ name: 'out', graphNode: 'output', parents: below(layers), classes: null });
    return nodes;
}

// A large dataset, so that two draws of a .rest almost never meet (a meeting merges two requests).
const opts = { seed: 3, ablation: 'resample' as const, unimportant: 'shared' as const, datasetSize: 1_000_000 };

describe('plan size estimate', () => {
    it('counts distinct requests per root by depth and calls a resampled .rest under every head exponential', () => {
        const size = estimatePlanSize(layeredG(5, 3, true), headIdentity(5, 3), opts);
        // Each head's unclaimed .rest draws a fresh example, so no two paths share a request:
        // 1 output, 3 heads of layer 4, 9 of layer 3, 27, 81 of layer 1 (layer 0's heads read the
        // root's own input alone: clean, not computed).
        expect(size.byDepth).toEqual([1, 3, 9, 27, 81]);
        expect(size.requestsPerRoot).toBe(121);
        expect(size.capped).toBe(false);
        expect(size.growth).toBeCloseTo(3, 5);
        expect(isExponential(size)).toBe(true);
        expect(describePlanSize(size)).toBe('≈ 121 distinct requests per root (probe plan of 8 roots; by depth from the output: 1, 3, 9, 27, 81): they grow ×3.0 per level of depth, exponentially');
    });

    it('finds the same hypothesis cheap when the heads cover their tensor (nothing is resampled: every request is clean)', () => {
        const size = estimatePlanSize(layeredG(4, 3, false), headIdentity(4, 3), opts);
        expect(size.requestsPerRoot).toBe(0);
        expect(isExponential(size)).toBe(false);
    });

    it('does not call a plan exponential for a few levels that double below the warning size', () => {
        const size = estimatePlanSize(layeredG(4, 2, true), headIdentity(4, 2), opts);
        expect(size.byDepth).toEqual([1, 2, 4, 8]);
        expect(size.growth).toBeUndefined();
    });

    it('stops planning at the request cap and says the plan is too large for one root', () => {
        const size = estimatePlanSize(layeredG(12, 4, true), headIdentity(12, 4), { ...opts, maxRequests: 10_000 });
        expect(size.capped).toBe(true);
        expect(size.roots).toBe(0);
        expect(size.requestsPerRoot).toBeGreaterThan(10_000);
        expect(isExponential(size)).toBe(true);
        expect(describePlanSize(size)).toMatch(/^more than 10,00\d distinct requests for one root \(the probe plan stopped there\): the plan grows exponentially with depth$/);
    });

    it('keeps the growth seen on the roots planned before the cap', () => {
        // 1 + 3 + … + 729 = 1,093 computed requests a root (and their clean parents): a cap at
        // 3,000 stops within the first few roots.
        const size = estimatePlanSize(layeredG(7, 3, true), headIdentity(7, 3), { ...opts, maxRequests: 3_000 });
        expect(size.capped).toBe(true);
        expect(size.roots).toBeGreaterThanOrEqual(1);
        expect(size.roots).toBeLessThan(4);
        // (729 draws of a .rest may meet once among a million examples.)
        expect(size.byDepth.slice(0, 6)).toEqual([1, 3, 9, 27, 81, 243]);
        expect(size.byDepth[6]).toBeGreaterThan(725);
        expect(size.growth).toBeCloseTo(3, 2);
    });
});
