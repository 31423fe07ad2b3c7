// The raw PyTorch export (examples/torch-export): a model hyp did not build, with no value_info and
// torch's own tensor names. graph, check and scrub work on it as a user runs them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHypError, type HypError } from '../../engine/errors.js';
import { prepareScrub } from '../../engine/prepare.js';
import { scrub } from '../../engine/scrub.js';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { hyp, root } from '../fixtures/cli.js';

const HYP = 'examples/torch-export/tiny_gpt.hyp';
const MODEL = 'examples/torch-export/tiny_gpt.onnx';

describe('a raw torch.onnx.export (examples/torch-export)', () => {
    it('the committed model declares no intermediate shapes: everything hyp knows of them comes from running it', () => {
        const info = JSON.parse(readFileSync(join(root, 'examples/torch-export/build-info.json'), 'utf8')) as { opset: number; heads: number; dataset_accuracy: number };
        expect(info).toMatchObject({ opset: 17, heads: 4 });
        expect(info.dataset_accuracy).toBeGreaterThan(0.95);
    });

    it('hyp graph shows real shapes, marks tensors without the batch axis, and --grep filters by name, op or module', async () => {
        const r = await hyp('graph', MODEL, '--grep', 'blocks.0/attn');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^\/blocks\.0\/attn\/MatMul_1_output_0\s+float32\s+\[batch, 4, 16, 8\]\s+MatMul\s+blocks\.0\.attn$/m);
        expect(r.stdout).toMatch(/^\/blocks\.0\/attn\/Gather_output_0\s+int64\s+\[\] no batch\s+Gather\s+blocks\.0\.attn$/m);
        expect(r.stdout).not.toMatch(/blocks\.1/);
        const byOp = await hyp('graph', MODEL, '--grep', 'softmax');
        expect(byOp.stdout.trim().split('\n').slice(4).map(l => l.split(/\s+/)[0])).toEqual(['/blocks.0/attn/Softmax_output_0', '/blocks.1/attn/Softmax_output_0']);
        const pos = JSON.parse((await hyp('graph', MODEL, '--grep', '/pos/', '--json')).stdout) as { tensors: { name: string; shape: number[]; perExample: boolean; module: string }[] };
        expect(pos.tensors.find(t => t.name === '/pos/Gather_output_0')).toMatchObject({ shape: [16, 32], perExample: false, module: 'pos' });
    });

    it('docs/export.md shows what hyp graph --grep prints on this model, line for line', async () => {
        const doc = readFileSync(join(root, 'docs/export.md'), 'utf8');
        const block = /\$ hyp graph (\S+) --grep (\S+)\n([\s\S]*?)```/.exec(doc)!;
        expect(block[1]).toBe(MODEL);
        const r = await hyp('graph', block[1], '--grep', block[2]);
        const printed = r.stdout.split('\n');
        const shown = block[3].split('\n').filter(l => l !== '' && l !== '...');
        expect(shown.length).toBeGreaterThan(4);
        for (const line of shown) expect(printed).toContain(line);
    });

    it('hyp check accepts the file, and identity scrubs to 100% and nothing to 0% exactly; the per-head claims in between', async () => {
        const check = await hyp('check', HYP);
        expect(check.stdout).toBe('');
        // The plan of each hypothesis, then the summary.
        expect(check.stderr.trim().split('\n').at(-1)).toBe(`${HYP}: 4 hypotheses, 0 errors, 0 warnings`);
        const r = await hyp('scrub', HYP, '--samples', '400', '--json');
        expect(r.code).toBe(0);
        const results = (JSON.parse(r.stdout) as { results: { hypothesis: string; lossRecovered: number; ci95: number[] }[] }).results;
        const by = new Map(results.map(x => [x.hypothesis, x]));
        expect(by.get('identity')!.lossRecovered).toBe(1);
        expect(by.get('nothing')!.lossRecovered).toBe(0);
        for (const name of ['l0_head0', 'l1_head1']) {
            expect(by.get(name)!.lossRecovered).toBeGreaterThan(0.5);
            expect(by.get(name)!.lossRecovered).toBeLessThan(1);
        }
    });

    it('a hook on a tensor without the batch axis never reaches onnxruntime: hyp check locates it, the engine refuses it', async () => {
        const { spec } = await checkHypFile(join(root, HYP), { prober: probeModelFile });
        expect(spec).toBeDefined();
        const bad = { ...spec!, graph: { ...spec!.graph, hooks: [...spec!.graph.hooks, { name: 'P', tensor: '/pos/Gather_output_0' }] } };
        const error = await prepareScrub(bad, { threads: 1 }).catch((e: unknown) => e);
        expect(isHypError(error) && error.code).toBe('not-per-example');
        expect((error as Error).message).toMatch(/^"\/pos\/Gather_output_0" \(shape \[16, 32\]\) does not carry the batch axis: .*the first per-example tensor downstream is "\/Add_output_0"$/);
    });

    it('a .rest claimed where the checker had no shapes (the editor before its probe ended) is a located error from the engine, not an internal one', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-rest-'));
        const file = join(dir, 'rest.hyp');
        writeFileSync(file, `model "${join(root, MODEL)}"
dataset "${join(root, 'examples/torch-export/tiny_gpt.jsonl')}" { input tokens = tokens  label prev }
metric cross_entropy at position pos
graph { node Z0 = "/blocks.0/attn/MatMul_1_output_0" split axis 1 { h0: 0, h1: 1, h2: 2, h3: 3 } }
hypothesis r { node r -> Z0.rest <- input  output <- input, r }
`);
        // Without a prober the file's declared shapes are all there is: Z0.rest may be non-empty.
        const { spec, diagnostics } = await checkHypFile(file);
        expect(diagnostics.filter(d => d.severity === 'error')).toEqual([]);
        const error = await scrub(spec!, { samples: 20, threads: 1 }).catch((e: unknown) => e);
        expect(isHypError(error) && error.code).toBe('split-invalid');
        expect((error as Error).message).toBe('hypothesis r: Z0.rest is empty: the parts of Z0 (Z0.h0, Z0.h1, Z0.h2, Z0.h3) cover every element of its tensor, so there is no rest to claim');
        expect((error as HypError).location).toEqual({ file, line: 5 });
        // With the probe, hyp check says so first.
        const probed = await checkHypFile(file, { prober: probeModelFile });
        expect(probed.diagnostics.filter(d => d.severity === 'error').map(d => `${d.line}: ${d.code}`)).toEqual(['5: split-invalid']);
        rmSync(dir, { recursive: true, force: true });
    });
});
