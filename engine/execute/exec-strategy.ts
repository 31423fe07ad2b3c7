// How a chunk's plan is executed: `staged` runs every local function on batches of its requests,
// stacking their parents on the host between runs (executor.ts); `fused` runs the whole chunk as
// one ONNX graph (fused-executor.ts), which pays on a GPU, where each of the staged path's
// hundreds of small runs costs a dispatch and host↔device copies. `auto` picks fused on a GPU
// provider and staged on the CPU, where the staged path's sliced functions compute less.
import { HypError } from '../errors.js';

export type ExecChoice = 'auto' | 'fused' | 'staged';
export type ExecStrategy = Exclude<ExecChoice, 'auto'>;

export const EXEC_CHOICES: readonly ExecChoice[] = ['auto', 'fused', 'staged'];

/** The strategy for a choice on the provider the sessions run on ('cpu', 'webgpu', 'cuda'). */
export function resolveExec(choice: ExecChoice | undefined, provider: string): ExecStrategy {
    const c = choice ?? 'auto';
    if (!EXEC_CHOICES.includes(c)) throw new HypError(`exec must be auto, fused or staged (got "${String(c)}")`, 'bad-option');
    if (c !== 'auto') return c;
    return provider === 'cpu' ? 'staged' : 'fused';
}
