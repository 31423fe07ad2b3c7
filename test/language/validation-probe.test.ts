// A raw torch.onnx.export declares no shapes: with a prober (the CLI's in-process one here; the
// server's runs in a child process), the model runs once on the dataset's first rows and G gets
// real shapes, per-example tensors and `.rest` parts only where they are not empty.
import { resolve } from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { parseHelper, replaceIndices, validationHelper } from 'langium/test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HypFile } from '../../language/generated/ast.js';
import { createHypServices } from '../../language/hyp-module.js';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { expectErrorAt, summary } from './helpers.js';
import type { ModelGraph } from '../../engine/graph/types.js';
import type { ModelProbe } from '../../engine/graph/probe.js';

const DIR = resolve(import.meta.dirname, '../../examples/torch-export');
const HEADER = `model "tiny_gpt.onnx"
dataset "tiny_gpt.jsonl" { input tokens = tokens  label prev }
metric cross_entropy at position pos
`;
const Z0 = '"/blocks.0/attn/MatMul_1_output_0"';

let counter = 0;
const uri = () => URI.file(resolve(DIR, `probe-test-${process.pid}-${counter++}.hyp`)).toString();

/** Services with the in-process prober, and services without one (the file's declared shapes). */
const probed = createHypServices(EmptyFileSystem).Hyp;
probed.workspace.HypWorkspaceData.useProber(probeModelFile);
const plain = createHypServices(EmptyFileSystem).Hyp;

/** Validates marked text once the probe of the document's model has run. */
async function validateProbed(text: string) {
    const { output, ranges } = replaceIndices({ text });
    const validate = validationHelper<HypFile>(probed);
    await validate(output, { documentUri: uri() });
    await probed.workspace.HypWorkspaceData.settled();
    return { result: await validate(output, { documentUri: uri() }), ranges };
}

describe('the probe in the workspace data', () => {
    it('hands out one pending value while the probe runs (so analyses made meanwhile stay cached), then its result, and probes once', async () => {
        const data = createHypServices(EmptyFileSystem).Hyp.workspace.HypWorkspaceData;
        let runs = 0;
        data.useProber(async (path, tensors, feeds) => {
            runs++;
            return probeModelFile(path, tensors, feeds);
        });
        const path = resolve(DIR, 'tiny_gpt.onnx');
        const graph = data.model(path);
        expect(graph.ok).toBe(true);
        const feeds = [{ name: 'tokens', dtype: 'int64', dims: [16], data: new BigInt64Array(32) }];
        const first = data.probe(path, (graph as { value: ModelGraph }).value, feeds);
        expect(first).toMatchObject({ ok: false, pending: true });
        expect(data.probe(path, (graph as { value: ModelGraph }).value, feeds)).toBe(first);
        expect(await data.settled()).toBe(true);
        const done = data.probe(path, (graph as { value: ModelGraph }).value, [{ ...feeds[0], data: new BigInt64Array(32) }]);
        expect(done).toMatchObject({ ok: true });
        expect((done as { value: ModelProbe }).value['/pos/Gather_output_0']).toMatchObject({ dtype: 'float32', dims: [16, 32], perExample: false });
        expect(runs).toBe(1);
        expect(await data.settled()).toBe(false);
    });
});

describe('real shapes from one run of the model', () => {
    beforeAll(async () => {
        // The first probe loads onnxruntime.
        await validateProbed(`${HEADER}graph { node Z0 = ${Z0} }`);
    });

    it('a hook on att @ v gets its real shape, and a split covering the head axis has no .rest', async () => {
        const text = `${HEADER}graph { node Z0 = ${Z0} split axis 1 { h0: 0, h1: 1, h2: 2, h3: 3 } }
hypothesis h { node a -> Z0.h0 <- input  output <- input, a }`;
        const doc = await parseHelper<HypFile>(probed)(text, { documentUri: uri() });
        await probed.shared.workspace.DocumentBuilder.build([doc], { validation: true });
        const analysis = probed.workspace.HypDocumentAnalysis.analyze(doc);
        expect(analysis.modelGraph?.tensors.get('/blocks.0/attn/MatMul_1_output_0')).toMatchObject({ dtype: 'float32', shape: ['batch', 4, 16, 8], perExample: true });
        expect([...analysis.derived!.g.nodes.keys()].filter(n => n.startsWith('Z0'))).toEqual(['Z0.h0', 'Z0.h1', 'Z0.h2', 'Z0.h3']);
        expect(summary(doc.diagnostics!.filter(d => d.severity === 1))).toEqual([]);

        // Without the probe the file says nothing about the shape: a .rest part is created.
        const bare = await parseHelper<HypFile>(plain)(text, { documentUri: uri() });
        await plain.shared.workspace.DocumentBuilder.build([bare], { validation: true });
        const declared = plain.workspace.HypDocumentAnalysis.analyze(bare);
        expect(declared.modelGraph?.tensors.get('/blocks.0/attn/MatMul_1_output_0')?.shape).toBeNull();
        expect(declared.derived!.g.nodes.has('Z0.rest')).toBe(true);
    });

    it('a head index beyond the 4 heads is a split error', async () => {
        const m = await validateProbed(`${HEADER}graph { node Z0 = ${Z0} split <|axis 1 { h9: 9 }|> }`);
        expectErrorAt(m, 0, IssueCodes.SplitInvalid, 'part "h9": index 9 is out of range for axis 1 of size 4');
    });

    it('claiming the .rest of a split whose parts cover the tensor is a split error on the claim', async () => {
        const m = await validateProbed(`${HEADER}graph { node Z0 = ${Z0} split axis 1 { h0: 0, h1: 1, h2: 2, h3: 3 } }
hypothesis h { node r -> <|Z0.rest|> <- input  output <- input, r }`);
        expectErrorAt(m, 0, IssueCodes.SplitInvalid,
            'Z0.rest is empty: the parts of Z0 (Z0.h0, Z0.h1, Z0.h2, Z0.h3) cover every element of "/blocks.0/attn/MatMul_1_output_0" [batch, 4, 16, 8], so there is no rest to claim (claim the parts)');
    });

    it('hooks on a position table, a shape value and a mask constant are located errors naming the first per-example tensor downstream', async () => {
        const m = await validateProbed(`${HEADER}graph {
    node Z0 = ${Z0}
    node P = <|"/pos/Gather_output_0"|>
    node S = <|"/blocks.0/attn/Gather_output_0"|>
    node M = <|"blocks.1.attn.mask"|>
}
hypothesis h { node a -> Z0 <- input  output <- input, a }
hypothesis nothing { output }`);
        expectErrorAt(m, 0, IssueCodes.TensorNotPerExample,
            '"/pos/Gather_output_0" (shape [16, 32]) does not carry the batch axis: it is the same for every example (a constant, weight, shape value or table the model broadcasts later), so it cannot be a hook point; the first per-example tensor downstream is "/Add_output_0"');
        expectErrorAt(m, 1, IssueCodes.TensorNotPerExample, /^"\/blocks\.0\/attn\/Gather_output_0" \(shape \[\]\) does not carry the batch axis: .* the first per-example tensor downstream is "\/blocks\.0\/attn\/Reshape_output_0"$/);
        expectErrorAt(m, 2, IssueCodes.TensorNotPerExample, /^"blocks\.1\.attn\.mask" \(shape \[1, 1, 16, 16\]\) does not carry the batch axis/);
        // Those hooks are left out of G; the rest of the file is checked as usual.
        const other = m.result.diagnostics.filter(d => d.severity === 1 && d.code !== IssueCodes.TensorNotPerExample);
        expect(summary(other)).toEqual([]);
        const quickFix = m.result.diagnostics.find(d => d.code === IssueCodes.TensorNotPerExample)!;
        expect(quickFix.data).toEqual({ suggestion: '/Add_output_0' });
    });

    it('a hook on attention scores masked with -inf is a located error naming the first finite tensor downstream, not a scrub that stops on -Infinity', async () => {
        // Found by test/language/generated-hypotheses.test.ts: the hook checked, and every scrub of the
        // file stopped with non-finite-activation on the clean run.
        const m = await validateProbed(`${HEADER}graph {
    node Z0 = ${Z0}
    node W = <|"/blocks.0/attn/Where_output_0"|>
}
hypothesis h { node a -> Z0 <- input  output <- input, a }`);
        expectErrorAt(m, 0, IssueCodes.TensorNotFinite,
            '"/blocks.0/attn/Where_output_0" holds -Infinity on the dataset\'s first rows (a mask applied with -inf, say), and a scrub stops on a value that is not finite, so it cannot be a hook point; the first finite tensor downstream is "/blocks.0/attn/Softmax_output_0"');
        expect(m.result.diagnostics.find(d => d.code === IssueCodes.TensorNotFinite)!.data).toEqual({ suggestion: '/blocks.0/attn/Softmax_output_0' });
    });

    it('completion of a hook tensor offers per-example tensors only, with their real shapes', async () => {
        const text = `${HEADER}graph { node X = "" }`;
        const doc = await parseHelper<HypFile>(probed)(text, { documentUri: uri() });
        await probed.shared.workspace.DocumentBuilder.build([doc], { validation: true });
        await probed.workspace.HypWorkspaceData.settled();
        const offset = text.indexOf('""') + 1;
        const list = await probed.lsp.CompletionProvider!.getCompletion(doc, {
            textDocument: { uri: doc.uri.toString() }, position: doc.textDocument.positionAt(offset),
        });
        const labels = list!.items.map(i => i.label);
        expect(labels).toContain('/blocks.0/attn/MatMul_1_output_0');
        expect(labels).not.toContain('/pos/Gather_output_0');
        expect(labels).not.toContain('/blocks.0/attn/Gather_output_0');
        expect(list!.items.find(i => i.label === '/blocks.0/attn/MatMul_1_output_0')!.detail).toContain('[batch, 4, 16, 8]');
    });
});
