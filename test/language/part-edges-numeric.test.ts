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
import { createProcessPerturber } from '../../server/probe-process.js';
import { removeInertCases, writeCumsumCase, writeCumsumChainCase } from '../fixtures/inert-models.js';

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

describe('a claimed edge the numeric pass did not test', () => {
    const claim = `${CUMSUM}
hypothesis h {
    node a -> A.a0 <- input.z0, input.z2
    output <- a
}
`;
    const write = (dir: string) => {
        const file = join(dir, 'test.hyp');
        writeFileSync(file, claim);
        return file;
    };

    it('a pass that fails is numeric-pass-failed, an information on the model line with the reason; no inert warning', async () => {
        const r = await checkHypFile(write(writeCumsumCase()), { prober: probeModelFile, perturber: () => Promise.reject(new Error('the probe process exited with code 134')) });
        expect(issues(r, 'edge-numerically-inert')).toEqual([]);
        const failed = issues(r, 'numeric-pass-failed');
        expect(failed).toEqual([expect.objectContaining({ line: 1, column: 7, severity: 'info' })]);
        expect(failed[0].message).toMatch(/failed, so 2 claimed edges \(input\.z0 -> A\.a0, input\.z2 -> A\.a0\) were not tested: the probe process exited with code 134\./);
        expect(failed[0].message).toMatch(/means "not tested"/);
        expect(r.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    });

    it('a child onnxruntime refuses in the pass is numeric-pass-failed too, naming it', async () => {
        const r = await checkHypFile(write(writeCumsumCase()), { prober: probeModelFile,
            perturber: async (path, request) => ({ ...await perturbPartsFile(path, { ...request, queries: [] }), untested: [{ tensor: 'A', kind: 'failed' as const, reason: "onnxruntime failed on A's local function: bad op" }] }) });
        expect(issues(r, 'numeric-pass-failed')).toEqual([expect.objectContaining({ line: 1, message: expect.stringMatching(/bad op/) })]);
    });

    it('a child past the work bound is numeric-pass-skipped with the bound, only where a claim is concerned', async () => {
        const dir = writeCumsumCase();
        const r = await checkHypFile(write(dir), { prober: probeModelFile, perturber: perturbPartsFile, perturbBounds: { work: 100 } });
        expect(issues(r, 'edge-numerically-inert')).toEqual([]);
        const skipped = issues(r, 'numeric-pass-skipped');
        expect(skipped).toEqual([expect.objectContaining({ line: 1, column: 7, severity: 'info' })]);
        expect(skipped[0].message).toMatch(/left 2 claimed edges \(input\.z0 -> A\.a0, input\.z2 -> A\.a0\) untested/);
        // The claimed parent parts alone (input.z0, input.z2) and the clean run: 3 runs.
        expect(skipped[0].message).toMatch(/testing A's 2 claimed parent parts computes 288 elements \(3 an example × 8 rows × 4 perturbations × 3 runs\), over the 100 left of the work bound of 100 a file/);
        // No hypothesis claims an edge into A: nothing to say.
        writeFileSync(join(dir, 'test.hyp'), `${CUMSUM}\nhypothesis h {\n    node a -> A.a0\n    output <- a\n}\n`);
        const quiet = await checkHypFile(join(dir, 'test.hyp'), { prober: probeModelFile, perturber: perturbPartsFile, perturbBounds: { work: 100 } });
        expect(quiet.diagnostics.filter(d => d.code.startsWith('numeric-pass'))).toEqual([]);
        // Without a perturber (a scrub's check, hyp draw's before it ran the pass) no pass runs, so none was skipped.
        const unrun = await checkHypFile(write(dir), { prober: probeModelFile, perturbBounds: { work: 100 } });
        expect(unrun.diagnostics.filter(d => d.code.startsWith('numeric-pass'))).toEqual([]);
    });

    it('a pass that runs says nothing about itself', async () => {
        const r = await check(writeCumsumCase(), claim);
        expect(r.diagnostics.filter(d => d.code.startsWith('numeric-pass'))).toEqual([]);
        expect(issues(r, 'edge-numerically-inert')).toHaveLength(1);
        expect(r.numeric?.edges['input.z2 -> A.a0']).toEqual({ moved: 0, trials: 32 });
    });
});

describe('what the numeric pass spends its bounds on', () => {
    // x → A → B, both CumSum: A has 3 parent parts (input.z0..z2), B 3 (A.a0..a2). The claims are on B only.
    const CHAIN = `model "model.onnx"
dataset "data.jsonl" { input x = x  label y }
graph {
    split input axis 1 { z0: 0, z1: 1, z2: 2 }
    node A = "A" split axis 1 { a0: 0, a1: 1, a2: 2 }
    node B = "B" split axis 1 { b0: 0, b1: 1, b2: 2 }
}
metric cross_entropy
hypothesis h {
    node a0 -> A.a0
    node a2 -> A.a2
    node b -> B.b0 <- a0, a2
    output <- b
}
`;
    const checkChain = (perturbBounds: { parts: number }) => {
        const file = join(writeCumsumChainCase(), 'test.hyp');
        writeFileSync(file, CHAIN);
        return checkHypFile(file, { prober: probeModelFile, perturber: perturbPartsFile, perturbBounds });
    };

    it('claimed edges first: with parts for one child, the claimed B is tested, not A (first in G\'s order)', async () => {
        const r = await checkChain({ parts: 3 });
        // Nothing claimed went untested: no information diagnostic.
        expect(r.diagnostics.filter(d => d.code.startsWith('numeric-pass'))).toEqual([]);
        // B.b0 = A.a0: A.a2 never moves it (line 12, a2 at column 27); A.a0 always does.
        expect(issues(r, 'edge-numerically-inert')).toEqual([expect.objectContaining({ line: 12, column: 27, severity: 'warning' })]);
        expect(r.numeric?.edges['A.a0 -> B.b0']).toEqual({ moved: 32, trials: 32 });
        // The claimed parts (2), then B's other one (1); A's 3 no longer fit.
        expect(Object.keys(r.numeric?.edges ?? {}).filter(k => k.startsWith('input.'))).toEqual([]);
        expect(r.numeric?.edges['A.a1 -> B.b1']).toEqual({ moved: 32, trials: 32 });
    });

    it('claimed parts that do not fit are named, with the bound and how to raise it', async () => {
        const r = await checkChain({ parts: 1 });
        expect(issues(r, 'edge-numerically-inert')).toEqual([]);
        const skipped = issues(r, 'numeric-pass-skipped');
        expect(skipped).toEqual([expect.objectContaining({ line: 1, column: 7, severity: 'info' })]);
        expect(skipped[0].message).toMatch(/left 2 claimed edges \(A\.a0 -> B\.b0, A\.a2 -> B\.b0\) untested/);
        expect(skipped[0].message).toMatch(/B has 2 claimed parent parts to perturb and 1 of the 1 a file were left/);
    });
});

describe('hooks rewritten into sums of parts', () => {
    it('the pass runs on the model with the rewrites made in it: claimed edges from the parts of a hook split through its heads are tested', async () => {
        // O0 = layer 0's attention output after W_O, split through Z0 (its heads): O0.h0 … O0.h3 and
        // O0.bias are tensors of the rewritten model only; Z1 (layer 1's att @ v) is a product of two activations.
        const r = await checkHypFile(resolve(import.meta.dirname, '../../examples/torch-export/per_head_wo.hyp'), { prober: probeModelFile, perturber: perturbPartsFile });
        expect(r.diagnostics).toEqual([]);
        for (const parent of ['O0.h0', 'O0.h3', 'O0.bias', 'input']) {
            const e = r.numeric?.edges[`${parent} -> Z1.h1`];
            expect(e?.trials, parent).toBe(32);
            expect(e?.moved, parent).toBeGreaterThan(0);
        }
    });

    it('the language server\'s probe process gets the rewrites with the request, and finds the same', async () => {
        const file = resolve(import.meta.dirname, '../../examples/torch-export/per_head_wo.hyp');
        const inProcess = await checkHypFile(file, { prober: probeModelFile, perturber: perturbPartsFile });
        // The worker bundle the server forks (the test setup builds it).
        const perturber = createProcessPerturber(resolve(import.meta.dirname, '../../dist/hyp-probe-worker.mjs'))!;
        const forked = await checkHypFile(file, { prober: probeModelFile, perturber });
        expect(forked.diagnostics).toEqual([]);
        expect(Object.keys(forked.numeric?.edges ?? {})).toHaveLength(28);
        expect(forked.numeric?.edges).toEqual(inProcess.numeric?.edges);
    });
});

describe('numerically inert edges in the editor', () => {
    it('a failed pass is an information diagnostic on the model line there too', async () => {
        const dir = writeCumsumCase();
        const services = createHypServices(EmptyFileSystem).Hyp;
        services.workspace.HypWorkspaceData.useProber(probeModelFile, () => Promise.reject(new Error('perturbing parts of the model took over 120 s')));
        const text = `${CUMSUM}
hypothesis h {
    node a -> A.a0 <- input.z0, input.z2
    output <- a
}
`;
        const validate = validationHelper<HypFile>(services);
        let diagnostics: Awaited<ReturnType<typeof validate>>['diagnostics'] = [];
        for (let round = 0; round < 3; round++) {
            diagnostics = (await validate(text, { documentUri: URI.file(join(dir, `doc-${round}.hyp`)).toString() })).diagnostics;
            await services.workspace.HypWorkspaceData.settled();
        }
        const failed = diagnostics.filter(d => d.code === 'numeric-pass-failed');
        expect(failed.map(d => [d.severity, d.range.start.line])).toEqual([[3, 0]]);
        expect(failed[0].message).toMatch(/took over 120 s/);
    });

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
