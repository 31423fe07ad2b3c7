// The GPT-2-small-shaped bench model as PyTorch exports it raw (issue 14: the targets must hold for
// a model hyp did not build): bench/gpt2/export_gpt2_torch.py writes gpt2_torch.onnx into the
// ignored bench/gpt2/ folder; its dataset is the builder's gpt2.jsonl. The export needs torch,
// which CI and many machines lack: the bench cases then skip, saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureGpt2Bench, GPT2_DIR } from './build-gpt2.js';

export const GPT2_TORCH_MODEL = 'gpt2_torch.onnx';
const SCRIPT = 'export_gpt2_torch.py';
const STAMP = 'gpt2_torch-stamp.json';

/** Pythons tried in order: $HYP_TORCH_PYTHON alone when set, else Debian's (python3-torch), then whichever is on PATH. */
function pythons(): string[] {
    const chosen = process.env.HYP_TORCH_PYTHON;
    return chosen !== undefined && chosen !== '' ? [chosen] : ['/usr/bin/python3', 'python3'];
}

/** The version the script writes its model at: a stamp of another version is rebuilt. */
function scriptVersion(root: string): number {
    const m = /^VERSION = (\d+)$/m.exec(readFileSync(join(root, GPT2_DIR, SCRIPT), 'utf8'));
    if (m === null) throw new Error(`${SCRIPT} declares no VERSION`);
    return Number(m[1]);
}

function upToDate(root: string): boolean {
    const dir = join(root, GPT2_DIR);
    if (!existsSync(join(dir, GPT2_TORCH_MODEL)) || !existsSync(join(dir, STAMP))) return false;
    try {
        return (JSON.parse(readFileSync(join(dir, STAMP), 'utf8')) as { version?: number }).version === scriptVersion(root);
    } catch {
        return false;
    }
}

/** The first Python that imports torch; undefined when none does. */
function torchPython(): string | undefined {
    return pythons().find(p => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/**
 * Why the torch-export cases cannot run here (no up-to-date export and no Python with torch to
 * write one); undefined when they can.
 */
export function gpt2TorchSkipReason(root = process.cwd()): string | undefined {
    if (upToDate(root) || torchPython() !== undefined) return undefined;
    return `torch is not importable by ${pythons().join(', ')}: ${GPT2_DIR}/${GPT2_TORCH_MODEL} is written by ${GPT2_DIR}/${SCRIPT} `
        + '(install Debian\'s python3-torch, or set HYP_TORCH_PYTHON to a Python with torch)';
}

/** Exports the model unless an up-to-date export is there, and builds the dataset; the seconds spent (0 when cached). */
export function ensureGpt2TorchBench(root = process.cwd()): number {
    // The dataset (and the builder's model beside it) are the builder's, written when missing.
    const built = ensureGpt2Bench(root);
    if (upToDate(root)) return built;
    const t = performance.now();
    const python = torchPython();
    if (python === undefined) throw new Error(gpt2TorchSkipReason(root));
    const run = spawnSync(python, [join(root, GPT2_DIR, SCRIPT)], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) throw new Error(`${python} ${GPT2_DIR}/${SCRIPT} failed (exit ${run.status})`);
    return built + (performance.now() - t) / 1000;
}
