// Part-level edges checked against the model (graph/part-deps.ts, graph/perturb-queries.ts), as
// `hyp check` reports them: a structurally absent edge is the error edge-not-in-graph (here
// through a causal softmax's exact zeros); an edge only an over-approximating rule put in G that
// no perturbation on dataset rows moved is the warning edge-numerically-inert, at the edge.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { expectCompletion, expectHover, validationHelper } from 'langium/test';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypFile } from '../../language/generated/ast.js';
import { createHypServices } from '../../language/hyp-module.js';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { perturbPartsFile } from '../../engine/runtime/perturb-parts.js';
import { removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

afterAll(removeInertCases);

async function check(dir: string, text: string) {
    const file = join(dir, 'test.hyp');
    writeFileSync(file, text);
    return checkHypFile(file, { prober: probeModelFile, perturber: perturbPartsFile });
}
const issues = (r: Awaited<ReturnType<typeof check>>, code: string) =>
    r.diagnostics.filter(d => d.code === code).map(d => ({ line: d.line, column: d.column, severity: d.severity, message: d.message }));

const CUMSUM = `model "model.onnx"
dataset "data.jsonl" { input x = x  label y }
graph {
    split input axis 1 { z0: 0, z1: 1, z2: 2 }
    node A = "A" split axis 1 { a0: 0, a1: 1, a2: 2 }
}
metric cross_entropy
`;

describe('numerically inert part-level edges', () => {
    it('an edge an op without a structural rule (CumSum) put in G, that no perturbation moves, is a warning at that parent', async () => {
        const dir = writeCumsumCase();
        const r = await check(dir, `${CUMSUM}
hypothesis h {
    node a -> A.a0 <- input.z0, input.z2
    output <- a
}
`);
        expect(issues(r, 'edge-not-in-graph')).toEqual([]);
        const inert = issues(r, 'edge-numerically-inert');
        // Line 10 is the node; input.z2 starts at column 33. input.z0 moves A.a0: no warning.
        expect(inert).toEqual([expect.objectContaining({ line: 10, column: 33, severity: 'warning' })]);
        expect(inert[0].message).toMatch(/perturbing input\.z2 never moved A\.a0 in 32 trials/);
        expect(r.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    });

    it('edges whose perturbations move the child are not warned about', async () => {
        const dir = writeCumsumCase();
        const r = await check(dir, `${CUMSUM}
hypothesis h {
    node a -> A.a2 <- input.z0, input.z1, input.z2
    node b -> A.a1 <- input.z0, input.z1
    output <- a, b
}
`);
        expect(issues(r, 'edge-numerically-inert')).toEqual([]);
        expect(r.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    });
});

describe('numerically inert edges in the editor', () => {
    it('completion after <- offers them after the real G-parents, and the hover of the node names them', async () => {
        const dir = writeCumsumCase();
        const services = createHypServices(EmptyFileSystem).Hyp;
        services.workspace.HypWorkspaceData.useProber(probeModelFile, perturbPartsFile);
        let n = 0;
        const documentUri = () => URI.file(join(dir, `doc-${n++}.hyp`)).toString();
        const text = `${CUMSUM}
hypothesis h {
    node a -> A.a0 <- input.z0, input.z2
    output <- a
}
`;
        // The probe, then the numeric pass the edge check starts, each seen pending once.
        const validate = validationHelper<HypFile>(services);
        for (let round = 0; round < 3; round++) {
            await validate(text, { documentUri: documentUri() });
            await services.workspace.HypWorkspaceData.settled();
        }
        const completion = text.replace('<- input.z0, input.z2', '<- <|>');
        await expectCompletion(services)({ text: completion, index: 0, parseOptions: { documentUri: documentUri() }, disposeAfterCheck: true, assert: c => {
            const inputs = c.items.filter(i => i.label.startsWith('input')).sort((x, y) => (x.sortText ?? '').localeCompare(y.sortText ?? ''));
            expect(inputs.map(i => i.label)).toEqual(['input.z0', 'input.z1', 'input.z2']);
            expect(inputs[0].sortText!.startsWith('0')).toBe(true);
            expect(inputs[1].sortText!.startsWith('1')).toBe(true);
            expect(inputs[2].detail).toMatch(/numerically inert: never moved A\.a0 in 32 trials/);
        } });
        await expectHover(services)({ text: text.replace('node a ->', 'node <|>a ->'), index: 0, parseOptions: { documentUri: documentUri() },
            hover: /Numerically inert \(perturbing them on dataset rows never moved `A\.a0`; sampling cannot prove them absent\): `input\.z1`, `input\.z2`/ });
    });
});

describe('att @ v after a causal softmax', () => {
    const model = resolve(import.meta.dirname, '../../examples/torch-export/tiny_gpt.onnx');
    const data = resolve(import.meta.dirname, '../../examples/torch-export/tiny_gpt.jsonl');
    it('claiming a value position after the query is edge-not-in-graph; at or before it, an edge', async () => {
        const dir = writeCumsumCase();
        const r = await check(dir, `model "${model}"
dataset "${data}" { input tokens = tokens  label prev }
graph {
    node V = "/blocks.0/attn/Transpose_1_output_0" split axis 2 { p0: 0, p1: 1, p15: 15 }
    node Z = "/blocks.0/attn/MatMul_1_output_0" split axis 2 { q1: 1 }
}
metric cross_entropy at position pos
hypothesis h {
    node v0 -> V.p0 <- input
    node v1 -> V.p1 <- input
    node v15 -> V.p15 <- input
    node z -> Z.q1 <- input, v0, v1, v15
    output <- input, z
}
`);
        const errors = issues(r, 'edge-not-in-graph');
        expect(errors).toEqual([expect.objectContaining({ line: 12, severity: 'error' })]);
        expect(errors[0].message).toMatch(/v15 cannot be an I-parent here: no element of Z\.q1 depends on V\.p15/);
        expect(issues(r, 'edge-numerically-inert')).toEqual([]);
    });
});
