// The raw-PyTorch GPT-2 bench cases need torch to export their model: where no Python imports it
// (CI), they are skipped with the reason, and an up-to-date export runs without torch.
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gpt2TorchSkipReason } from '../../bench/gpt2/torch-export.js';
import { CASES } from '../../bench/cases.js';

const saved = process.env.HYP_TORCH_PYTHON;
afterEach(() => {
    if (saved === undefined) delete process.env.HYP_TORCH_PYTHON;
    else process.env.HYP_TORCH_PYTHON = saved;
});

/** A repository root holding the export script (and, optionally, an export with its stamp). */
function root(exported?: { version: number }): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-gpt2-torch-'));
    mkdirSync(join(dir, 'bench/gpt2'), { recursive: true });
    copyFileSync('bench/gpt2/export_gpt2_torch.py', join(dir, 'bench/gpt2/export_gpt2_torch.py'));
    if (exported) {
        writeFileSync(join(dir, 'bench/gpt2/gpt2_torch.onnx'), '');
        writeFileSync(join(dir, 'bench/gpt2/gpt2_torch-stamp.json'), JSON.stringify(exported));
    }
    return dir;
}

describe('gpt2-torch bench cases', () => {
    it('are skipped, saying why, when no Python imports torch and no export is there', () => {
        process.env.HYP_TORCH_PYTHON = '/bin/false';
        const why = gpt2TorchSkipReason(root());
        expect(why).toMatch(/torch is not importable by \/bin\/false/);
        expect(why).toMatch(/export_gpt2_torch\.py/);
        // An export of another version is rebuilt, so it does not count.
        expect(gpt2TorchSkipReason(root({ version: 0 }))).toBeDefined();
    });

    it('run from an up-to-date export without torch', () => {
        process.env.HYP_TORCH_PYTHON = '/bin/false';
        expect(gpt2TorchSkipReason(root({ version: 1 }))).toBeUndefined();
    });

    it('cover every hypothesis of the builder\'s GPT-2 cases', () => {
        const torch = CASES.filter(c => c.name.startsWith('gpt2-torch/')).map(c => c.hypothesis);
        const built = CASES.filter(c => c.name.startsWith('gpt2/') && c.name.endsWith('@1k')).map(c => c.hypothesis);
        expect(torch).toEqual(built);
        expect(CASES.filter(c => c.name.startsWith('gpt2-torch/')).every(c => c.skip !== undefined)).toBe(true);
    });
});
