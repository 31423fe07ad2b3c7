// The numeric pass over part-level edges (graph/perturb-queries.ts, runtime/perturb-parts.ts): on
// a model whose structural edges over-approximate (CumSum has no rule), the edges the rule added
// are tested by perturbing each parent part on dataset rows through the child's local function.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import { perturbQueries } from '../../engine/graph/perturb-queries.js';
import { probedTensorNames, refineModelGraph, type ProbeFeed } from '../../engine/graph/probe.js';
import { perturbPartsFile } from '../../engine/runtime/perturb-parts.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import type { GraphSpec } from '../../engine/spec.js';
import { removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

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

    it('asks nothing where the structure is exact (element-wise ops, no product of two activations)', async () => {
        const { TOY_MODEL } = await import('./graph-fixtures.js');
        const spec: GraphSpec = { inputSplit: three(['z1', 'z2', 'z3']), hooks: ['A', 'B', 'C', 'D'].map(n => ({ name: n, tensor: n })) };
        const graph = loadModelGraph(TOY_MODEL);
        const { g } = deriveG(graph, spec);
        expect(perturbQueries(g, graph)).toEqual([]);
    });
});
