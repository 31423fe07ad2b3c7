import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';

describe('the plan size hyp check reports', () => {
    it('gives each paren hypothesis its distinct requests per root, as the scrub computes them, without a warning', async () => {
        const { planSizes, diagnostics } = await checkHypFile('examples/paren/paren.hyp', { prober: probeModelFile });
        const text = new Map(planSizes!.map(p => [p.hypothesis, p.text]));
        // bench/README.md: claim1 computes 70,000 requests for 10,000 roots, claim3 170,000.
        expect(text.get('claim1')).toBe('Plan: ≈ 7 distinct requests per root (probe plan of 8 roots; by depth from the output: 1, 2, 4).');
        expect(text.get('claim3')).toMatch(/^Plan: ≈ 17 distinct requests per root/);
        expect(planSizes!.every(p => !p.exponential)).toBe(true);
        expect(diagnostics.filter(d => d.code === 'plan-exponential')).toEqual([]);
    });

    it('says a hypothesis whose every activation is clean computes nothing', async () => {
        const { planSizes } = await checkHypFile('examples/torch-export/tiny_gpt.hyp', { prober: probeModelFile });
        expect(planSizes!.find(p => p.hypothesis === 'nothing')!.text).toBe('Plan: no computed requests (every activation is a clean one: a forward pass per example; probe plan of 8 roots).');
        expect(planSizes!.find(p => p.hypothesis === 'l0_head0')!.text).toMatch(/^Plan: ≈ 5 distinct requests per root \(probe plan of 8 roots; by depth from the output: 1, 4\)\.$/);
    });
});

/**
 * The paren model's three layers claimed head by head, each head with a feature (so every occurrence
 * draws its own example) reading every part of its layer's input, and each part reading both heads
 * below: the requests multiply by about ten a layer.
 */
function deepParenHyp(): string {
    const model = resolve('examples/paren/paren.onnx');
    const dataset = resolve('examples/paren/paren.jsonl');
    const parts = ['p0', 'p1', 'p2', 'p3', 'rest'];
    const graph: string[] = [];
    const nodes: string[] = [];
    for (const l of [0, 1, 2]) {
        graph.push(`    node A${l} = "blocks.${l}.attn.resid_unsqueezed" split axis 1 { p0: 0, p1: 1, p2: 2, p3: 3 }`);
        graph.push(`    node R${l} = "blocks.${l}.attn.hook_result" split axis 2 { h0: 0, h1: 1 }`);
        const below = l === 0 ? 'input' : `input, r${l - 1}_h0, r${l - 1}_h1`;
        for (const p of parts) nodes.push(`    node a${l}_${p} -> A${l}.${p} <- ${below}`);
        for (const k of [0, 1]) nodes.push(`    node r${l}_h${k} -> R${l}.h${k} = count(text, "(") <- ${parts.map(p => `a${l}_${p}`).join(', ')}`);
    }
    return [
        `model "${model}"`, `dataset "${dataset}" {`, '    input tokens = tokens', '    label label', '}',
        'graph {', ...graph, '}', 'metric cross_entropy',
        'hypothesis deep {', ...nodes, '    output <- r0_h0, r0_h1, r1_h0, r1_h1, r2_h0, r2_h1', '}', '',
    ].join('\n');
}

describe('a plan that grows exponentially with depth', () => {
    it('is a plan-exponential warning on the hypothesis, and hyp check says by how much a level', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-plan-size-'));
        try {
            const file = join(dir, 'deep.hyp');
            writeFileSync(file, deepParenHyp());
            const { planSizes, diagnostics } = await checkHypFile(file, { prober: probeModelFile });
            const warning = diagnostics.find(d => d.code === 'plan-exponential');
            expect(warning?.severity).toBe('warning');
            expect(warning?.line).toBe(15);
            expect(warning?.message).toMatch(/^scrubbing deep plans ≈ 145 distinct requests per root \(probe plan of 8 roots; by depth from the output: 1, 2, 10, 22, 110\): they grow ×3\.2 per level of depth, exponentially\. Every G-parent/);
            expect(planSizes).toEqual([{ hypothesis: 'deep', exponential: true, text: expect.stringMatching(/^⚠ Large plan: ≈ 145 distinct requests per root/) }]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
