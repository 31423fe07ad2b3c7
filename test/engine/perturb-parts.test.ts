// The numeric pass over part-level edges (graph/perturb-queries.ts, runtime/perturb-parts.ts): on
// a model whose structural edges over-approximate (CumSum has no rule), the edges the rule added
// are tested by perturbing each parent part on dataset rows through the child's local function.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import { edgeKey, PERTURB_BOUNDS, perturbPlan, perturbQueries } from '../../engine/graph/perturb-queries.js';
import { probedTensorNames, refineModelGraph, type ProbeFeed } from '../../engine/graph/probe.js';
import { perturbPartsFile } from '../../engine/runtime/perturb-parts.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import type { GraphSpec } from '../../engine/spec.js';
import { removeInertCases, writeCumsumCase, writeCumsumChainCase } from '../fixtures/inert-models.js';

afterAll(removeInertCases);

const three = (names: string[]) => ({ axis: 1, parts: names.map((name, i) => ({ name, indices: [i] })) });

describe('the numeric pass over part-level edges', () => {
    it('finds the edges CumSum really has (A[i] reads x[0..i]) among those the structure over-approximates', async () => {
        const model = join(writeCumsumCase(), 'model.onnx');
        const feeds = (rows: number): ProbeFeed[] => [{ name: 'x', dtype: 'float32', dims: [3], data: Float32Array.from({ length: 3 * rows }, (_, i) => Math.sin(i + 1)) }];
        const file = loadModelGraph(model);
        const graph = refineModelGraph(file, await probeModelFile(model, probedTensorNames(file), feeds(2)));
        const spec: GraphSpec = { inputSplit: three(['z0', 'z1', 'z2']), hooks: [{ name: 'A', tensor: 'A', split: three(['a0', 'a1', 'a2']) }] };
        const { g, problems } = deriveG(graph, spec);
        expect(problems).toEqual([]);
        // Structurally, every part of A reads every part of the input, and says it may over-approximate.
        expect(g.partParents('A.a0')).toEqual(['input.z0', 'input.z1', 'input.z2']);
        expect(g.partsInexact?.('A.a0')).toBe(true);
        const queries = perturbQueries(g, graph);
        expect(queries.map(q => [q.tensor, q.parentNodes.map(p => p.node)])).toEqual([['A', ['input.z0', 'input.z1', 'input.z2']]]);
        const evidence = await perturbPartsFile(model, { queries, feeds: feeds(8) });
        expect(evidence).toMatchObject({ rows: 8, perturbations: 4 });
        const moved = Object.fromEntries(Object.entries(evidence.edges).map(([k, e]) => [k, `${e.moved}/${e.trials}`]));
        expect(moved).toEqual({
            'input.z0 -> A.a0': '32/32', 'input.z1 -> A.a0': '0/32', 'input.z2 -> A.a0': '0/32',
            'input.z0 -> A.a1': '32/32', 'input.z1 -> A.a1': '32/32', 'input.z2 -> A.a1': '0/32',
            'input.z0 -> A.a2': '32/32', 'input.z1 -> A.a2': '32/32', 'input.z2 -> A.a2': '32/32',
        });
        // The same request gives the same evidence (seeded).
        expect((await perturbPartsFile(model, { queries, feeds: feeds(8) })).edges).toEqual(evidence.edges);
    });

    it('on a raw torch export, layer 0\'s attention pattern given as a hook: its zero weights make later tokens inert for layer 1\'s query 0', async () => {
        const model = join(import.meta.dirname, '../../examples/torch-export/tiny_gpt.onnx');
        const tokens = (n: number): ProbeFeed[] => [{ name: 'tokens', dtype: 'int64', dims: [16], data: BigInt64Array.from({ length: 16 * n }, (_, i) => BigInt((i * 7 + Math.floor(i / 16)) % 12)) }];
        const file = loadModelGraph(model);
        const graph = refineModelGraph(file, await probeModelFile(model, probedTensorNames(file), tokens(2)));
        const spec: GraphSpec = {
            inputSplit: { axis: 1, parts: [{ name: 't0', indices: [0] }, { name: 't15', indices: [15] }] },
            hooks: [
                { name: 'A', tensor: '/blocks.0/attn/Softmax_output_0', split: { axis: 2, parts: [{ name: 'q0', indices: [0] }, { name: 'q1', indices: [1] }] } },
                { name: 'Z', tensor: '/blocks.1/attn/MatMul_1_output_0', split: { axis: 2, parts: [{ name: 'q0', indices: [0] }] } },
            ],
        };
        const { g } = deriveG(graph, spec);
        // Structurally, A.q0 (a hook: values unknown) times layer 0's v reads v at every position.
        expect(g.partParents('Z.q0')).toEqual(['input.t0', 'input.t15', 'input.rest', 'A.q0']);
        expect(g.partsInexact?.('Z.q0')).toBe(true);
        const { edges } = await perturbPartsFile(model, { queries: perturbQueries(g, graph), feeds: tokens(8) });
        expect(edges['input.t15 -> Z.q0']).toEqual({ moved: 0, trials: 32 });
        expect(edges['input.rest -> Z.q0']).toEqual({ moved: 0, trials: 32 });
        expect(edges['input.t0 -> Z.q0']).toEqual({ moved: 32, trials: 32 });
        expect(edges['A.q0 -> Z.q0']).toEqual({ moved: 32, trials: 32 });
        // Query 0 of a causal softmax attends to position 0 alone whatever the scores: 1, then 0s.
        expect(edges['input.t0 -> A.q0']).toEqual({ moved: 0, trials: 32 });
    });

    it('spends its parts bound on claimed parent parts first, and plans in G\'s order whatever it chose first', async () => {
        const model = join(writeCumsumChainCase(), 'model.onnx');
        const file = loadModelGraph(model);
        const feeds: ProbeFeed[] = [{ name: 'x', dtype: 'float32', dims: [3], data: Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6) }];
        const graph = refineModelGraph(file, await probeModelFile(model, probedTensorNames(file), feeds));
        const spec: GraphSpec = { inputSplit: three(['z0', 'z1', 'z2']), hooks: [{ name: 'A', tensor: 'A', split: three(['a0', 'a1', 'a2']) }, { name: 'B', tensor: 'B', split: three(['b0', 'b1', 'b2']) }] };
        const { g } = deriveG(graph, spec);
        const claimed = new Set([edgeKey('B.b0', 'A.a0'), edgeKey('B.b0', 'A.a2')]);
        const shape = (plan: ReturnType<typeof perturbPlan>) => ({
            queries: plan.queries.map(q => [q.tensor, q.parentNodes.map(p => p.node)]),
            skipped: plan.skipped.map(s => [s.tensor, s.edges.length]),
        });
        // In G's order A (3 parent parts) would take all 3 and B none; B's claimed parts go first, then its other one.
        expect(shape(perturbPlan(g, graph, { ...PERTURB_BOUNDS, parts: 3 }))).toEqual({ queries: [['A', ['input.z0', 'input.z1', 'input.z2']]], skipped: [['B', 9]] });
        expect(shape(perturbPlan(g, graph, { ...PERTURB_BOUNDS, parts: 3 }, claimed))).toEqual({ queries: [['B', ['A.a0', 'A.a1', 'A.a2']]], skipped: [['A', 9]] });
        // Room for the claimed parts alone: B is tested on them, its edges from A.a1 are left.
        const two = perturbPlan(g, graph, { ...PERTURB_BOUNDS, parts: 2 }, claimed);
        expect(shape(two)).toEqual({ queries: [['B', ['A.a0', 'A.a2']]], skipped: [['A', 9], ['B', 3]] });
        expect(two.queries[0].edges.every(([, p]) => p !== 'A.a1')).toBe(true);
        // Room for everything: the same plan with or without claims (the pass's cache key does not follow the claims).
        expect(perturbPlan(g, graph, PERTURB_BOUNDS, claimed)).toEqual(perturbPlan(g, graph));
        expect(shape(perturbPlan(g, graph)).queries.map(([t]) => t)).toEqual(['A', 'B']);
    });

    it('asks nothing where the structure is exact (element-wise ops, no product of two activations)', async () => {
        const { TOY_MODEL } = await import('./graph-fixtures.js');
        const spec: GraphSpec = { inputSplit: three(['z1', 'z2', 'z3']), hooks: ['A', 'B', 'C', 'D'].map(n => ({ name: n, tensor: n })) };
        const graph = loadModelGraph(TOY_MODEL);
        const { g } = deriveG(graph, spec);
        expect(perturbQueries(g, graph)).toEqual([]);
    });
});
