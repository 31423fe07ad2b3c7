import { describe, expect, it } from 'vitest';
import type { GNode, GraphG } from '../../engine/graph/types.js';
import { planScrub, type PlanNode } from '../../engine/plan/planner.js';
import type { RequestTable } from '../../engine/plan/requests.js';

// A hand-made G for the toy model: x → A, B, C; A, B, C → D → logits; x split in z1, z2, z3.
function toyG(real: Record<string, string[]> = {}): GraphG {
    const tensorParents: Record<string, string[]> = { A: ['x'], B: ['x'], C: ['x'], D: ['A', 'B', 'C'], logits: ['D'] };
    const nodes = new Map<string, GNode>();
    for (const p of ['z1', 'z2', 'z3']) {
        nodes.set(`input.${p}`, { name: `input.${p}`, kind: 'input', tensors: [{ tensor: 'x', coverage: { kind: 'part', part: { name: p, indices: [Number(p[1]) - 1] }, axis: 1 } }] });
    }
    for (const t of ['A', 'B', 'C', 'D']) nodes.set(t, { name: t, kind: 'hook', tensors: [{ tensor: t, coverage: { kind: 'all' } }] });
    nodes.set('output', { name: 'output', kind: 'output', tensors: [{ tensor: 'logits', coverage: { kind: 'all' } }] });
    const nodesOfTensor = (t: string) => (t === 'x' ? ['input.z1', 'input.z2', 'input.z3'] : t === 'logits' ? ['output'] : [t]);
    return {
        nodes,
        computedTensors: ['A', 'B', 'C', 'D', 'logits'],
        tensorParents: t => tensorParents[t] ?? [],
        nodesOfTensor,
        parents: n => tensorParents[nodes.get(n)!.tensors[0].tensor]?.flatMap(nodesOfTensor) ?? [],
        partParents: n => real[n] ?? tensorParents[nodes.get(n)!.tensors[0].tensor]?.flatMap(nodesOfTensor) ?? [],
        between: () => [],
        isAncestor: () => false,
    };
}

/** Classes of a feature given as a value per example. */
function classes(values: number[]): PlanNode['classes'] {
    const keys = [...new Set(values)];
    const classOf = Int32Array.from(values, v => keys.indexOf(v));
    const members = keys.map(k => Int32Array.from(values.flatMap((v, i) => (v === k ? [i] : []))));
    return { classOf, members };
}

/** A request written out as a tree, so plans can be compared across tables. */
function describe_(table: RequestTable, id: number): string {
    const r = table.get(id);
    if (r.kind === 'clean') return `${r.tensor}@${r.example}`;
    if (r.kind === 'constant') return `${r.tensor}:${r.value}`;
    return `${r.tensor}(${r.inputs.map(a => a.sources.map(s => describe_(table, s)).join('|')).join(', ')})`;
}

const N = 50;
const z1 = Array.from({ length: N }, (_, i) => i % 7);
const z2 = Array.from({ length: N }, (_, i) => (i * 3) % 7);
const opts = { seed: 7, ablation: 'resample' as const, unimportant: 'shared' as const, datasetSize: N };
const roots = Int32Array.from({ length: 20 }, (_, i) => (i * 11) % N);
const rootIds = Int32Array.from({ length: 20 }, (_, i) => i);

const correct: PlanNode[] = [
    { name: 'a', graphNode: 'A', parents: ['input.z1'], classes: classes(z1.map(v => Number(v > 3))) },
    { name: 'b', graphNode: 'B', parents: ['input.z2'], classes: classes(z2.map(v => Number(v > 3))) },
    { name: 'd', graphNode: 'D', parents: ['a', 'b'], classes: classes(z1.map((v, i) => Number(v > 3 || z2[i] > 3))) },
    { name: 'out', graphNode: 'output', parents: ['d'], classes: null },
];

describe('planner', () => {
    it('collapses a hypothesis whose every claim is computed on the root itself to the clean output', () => {
        const identity: PlanNode[] = [
            { name: 'a', graphNode: 'A', parents: ['input.z1', 'input.z2', 'input.z3'], classes: null },
            { name: 'b', graphNode: 'B', parents: ['input.z1', 'input.z2', 'input.z3'], classes: null },
            { name: 'c', graphNode: 'C', parents: ['input.z1', 'input.z2', 'input.z3'], classes: null },
            { name: 'd', graphNode: 'D', parents: ['a', 'b', 'c'], classes: null },
            { name: 'out', graphNode: 'output', parents: ['d'], classes: null },
        ];
        const plan = planScrub(toyG(), identity, roots, rootIds, opts);
        expect([...plan.scrubbed]).toEqual([...plan.clean]);
        expect(plan.table.requests.every(r => r.kind === 'clean')).toBe(true);
    });

    it('turns "nothing matters" into the clean output of one random example', () => {
        const nothing: PlanNode[] = [{ name: 'out', graphNode: 'output', parents: [], classes: null }];
        const plan = planScrub(toyG(), nothing, roots, rootIds, opts);
        for (const id of plan.scrubbed) expect(plan.table.get(id).kind).toBe('clean');
        const examples = [...plan.scrubbed].map(id => (plan.table.get(id) as { example: number }).example);
        expect(new Set(examples).size).toBeGreaterThan(5);
    });

    it('resamples each claimed parent within its feature class, on every root', () => {
        const plan = planScrub(toyG(), correct, roots, rootIds, opts);
        const a = (j: number) => z1[j] > 3, b = (j: number) => z2[j] > 3;
        let computed = 0, collapsed = 0;
        const pairs = new Set<string>();
        for (const [r, id] of [...plan.scrubbed].entries()) {
            const x = roots[r];
            const out = plan.table.get(id);
            // logits(D), D computed from A and B (drawn via d's class, then a's and b's at d's
            // example) and C (unimportant). When every parent of D, or of the logits, came from one
            // example j, the request collapses to j's clean activation: then j itself must be in d's class.
            const d = out.kind === 'computed' ? plan.table.get(out.inputs[0].sources[0]) : out;
            if (d.kind === 'clean') {
                collapsed++;
                expect(a(d.example) || b(d.example)).toBe(a(x) || b(x));
                continue;
            }
            expect(d.kind).toBe('computed');
            if (d.kind !== 'computed') continue;
            computed++;
            const [xa, xb] = d.inputs.slice(0, 2).map((assembly, part) => {
                const req = plan.table.get(assembly.sources[0]);
                // A reads input.z1 of x_a (part 0 of x), B input.z2 of x_b (part 1); a request on one
                // example collapses to A's or B's own clean activation on it.
                const src = req.kind === 'computed' ? plan.table.get(req.inputs[0].sources[part]) : req;
                expect(src.kind).toBe('clean');
                return (src as { example: number }).example;
            });
            expect(a(xa) || b(xb)).toBe(a(x) || b(x));
            pairs.add(`${Number(a(x) || b(x))}:${Number(a(xa))}${Number(b(xb))}`);
        }
        expect(computed + collapsed).toBe(roots.length);
        expect(computed).toBeGreaterThanOrEqual(15);
        // Both classes of d were met, and within d = 1 the draws reach more than one (a, b) combination.
        expect([...pairs].filter(p => p.startsWith('0:'))).toEqual(['0:00']);
        expect([...pairs].filter(p => p.startsWith('1:')).length).toBeGreaterThanOrEqual(2);
    });

    it('gives the unimportant parents one shared example, or one each with unimportant separate', () => {
        const onlyA: PlanNode[] = [
            { name: 'a', graphNode: 'A', parents: ['input.z1'], classes: classes(z1.map(v => Number(v > 3))) },
            { name: 'd', graphNode: 'D', parents: ['a'], classes: classes(z1.map(v => Number(v > 3))) },
            { name: 'out', graphNode: 'output', parents: ['d'], classes: null },
        ];
        // Per root, the examples B and C come from (a D collapsed to one example's clean activation
        // took all its parents from that example: counted, not skipped).
        const sourcesOfBC = (unimportant: 'shared' | 'separate') => {
            const plan = planScrub(toyG(), onlyA, roots, rootIds, { ...opts, unimportant });
            return [...plan.scrubbed].map(id => {
                const out = plan.table.get(id);
                const d = out.kind === 'computed' ? plan.table.get(out.inputs[0].sources[0]) : out;
                if (d.kind === 'clean') return [d.example, d.example];
                expect(d.kind).toBe('computed');
                return [1, 2].map(k => (plan.table.get((d as { inputs: { sources: number[] }[] }).inputs[k].sources[0]) as { example: number }).example);
            });
        };
        const shared = sourcesOfBC('shared');
        expect(shared).toHaveLength(roots.length);
        expect(shared.filter(([b, c]) => b === c)).toHaveLength(roots.length);
        // Separate: two independent draws from 50 examples coincide on a root with probability 1/50.
        const separate = sourcesOfBC('separate');
        expect(separate).toHaveLength(roots.length);
        expect(separate.filter(([b, c]) => b !== c).length).toBeGreaterThanOrEqual(roots.length - 2);
    });

    it('hash-conses equal requests so each is planned once', () => {
        const one = Int32Array.from({ length: 20 }, () => 3);
        const plan = planScrub(toyG(), correct, one, Int32Array.from({ length: 20 }, () => 0), opts);
        expect(new Set(plan.scrubbed).size).toBe(1);
        const single = planScrub(toyG(), correct, Int32Array.of(3), Int32Array.of(0), opts);
        expect(plan.table.size).toBe(single.table.size);
    });

    it("does not change a root's plan when it is planned in another chunk", () => {
        const all = planScrub(toyG(), correct, roots, rootIds, opts);
        const tail = planScrub(toyG(), correct, roots.slice(12), rootIds.slice(12), opts);
        for (let r = 12; r < roots.length; r++) {
            expect(describe_(tail.table, tail.scrubbed[r - 12])).toBe(describe_(all.table, all.scrubbed[r]));
            expect(describe_(tail.table, tail.random[r - 12])).toBe(describe_(all.table, all.random[r]));
        }
    });

    it('resamples only the parts a node reads: the others take its own example and draw nothing', () => {
        // A reads input.z1 alone (part-level G); B reads every part.
        const g = toyG({ A: ['input.z1'] });
        const onlyD: PlanNode[] = [
            { name: 'a', graphNode: 'A', parents: [], classes: null },
            { name: 'd', graphNode: 'D', parents: ['a'], classes: null },
            { name: 'out', graphNode: 'output', parents: ['d'], classes: null },
        ];
        const plan = planScrub(g, onlyD, roots, rootIds, opts);
        const before = planScrub(toyG(), onlyD, roots, rootIds, opts);
        for (const [r, id] of [...plan.scrubbed].entries()) {
            const x = roots[r];
            const d = plan.table.get(plan.table.get(id).kind === 'computed' ? (plan.table.get(id) as { inputs: { sources: number[] }[] }).inputs[0].sources[0] : id);
            expect(d.kind).toBe('computed');
            const a = plan.table.get((d as { inputs: { sources: number[] }[] }).inputs[0].sources[0]);
            // x's input.z2 and input.z3 are not drawn: A is computed from one drawn z1 and x's own
            // z2 and z3 (the same value as any other example's there: A does not read them).
            expect(a.kind).toBe('computed');
            const [z1Source, z2Source, z3Source] = (a as { inputs: { sources: number[] }[] }).inputs[0].sources.map(s => plan.table.get(s) as { example: number });
            expect(z2Source.example).toBe(x);
            expect(z3Source.example).toBe(x);
            expect(z1Source.example).not.toBe(-1);
            // Tensor-level G drew one example for all three parts.
            const old = before.table.get(before.table.get(before.scrubbed[r]).kind === 'computed' ? (before.table.get(before.scrubbed[r]) as { inputs: { sources: number[] }[] }).inputs[0].sources[0] : before.scrubbed[r]);
            const oldA = before.table.get((old as { inputs: { sources: number[] }[] }).inputs[0].sources[0]);
            if (oldA.kind === 'clean') continue;
            const oldSources = (oldA as { inputs: { sources: number[] }[] }).inputs[0].sources;
            expect(new Set(oldSources).size).toBe(1);
        }
    });

    it('keeps every computed request\'s sources in the flat array the executor walks, input by input', () => {
        // Over 1,024 requests and sources, so that the flat arrays grow while planning.
        const many = Int32Array.from({ length: 400 }, (_, i) => (i * 13) % N);
        const plan = planScrub(toyG(), correct, many, Int32Array.from({ length: 400 }, (_, i) => i), opts);
        const { table } = plan;
        expect(table.size).toBeGreaterThan(1024);
        let computed = 0;
        for (let id = 0; id < table.size; id++) {
            const r = table.get(id);
            const flat = [...table.flatSources.subarray(table.sourceStart(id), table.sourceStart(id + 1))];
            if (r.kind !== 'computed') {
                expect(flat).toEqual([]);
                continue;
            }
            computed++;
            expect(flat).toEqual(r.inputs.flatMap(a => a.sources));
            r.inputs.forEach((a, k) => {
                expect([...table.flatSources.subarray(table.inputStart(id, k), table.inputStart(id, k + 1))]).toEqual(a.sources);
            });
        }
        expect(computed).toBeGreaterThan(0);
    });

    it('uses constants for the unimportant parents under mean and zero ablation', () => {
        const nothing: PlanNode[] = [{ name: 'out', graphNode: 'output', parents: [], classes: null }];
        const plan = planScrub(toyG(), nothing, roots, rootIds, { ...opts, ablation: 'mean' });
        expect(describe_(plan.table, plan.scrubbed[0])).toBe('logits(D:mean)');
    });
});
