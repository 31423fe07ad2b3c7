// Pruned clean passes (graph/pruned-model.ts): onnxruntime runs every node of a session whatever a
// run fetches, so a clean run that needs only early tensors runs a model cut down to them. Its
// values are the whole model's, and an example that runs for early tensors only does not fetch the
// late ones its pruned run does not compute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHypFile } from '../../language/check-file.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { ModelAncestry } from '../../engine/graph/pruned-model.js';
import { readModelFile } from '../../engine/onnx/read.js';
import { exampleSize } from '../../engine/execute/model-runner.js';
import type { ScrubSpec } from '../../engine/spec.js';

const EARLY = 'blocks.1.hook_resid_pre';
let spec: ScrubSpec;
let prepared: PreparedScrub;
beforeAll(async () => {
    spec = (await checkHypFile('examples/paren/paren.hyp')).spec!;
    prepared = await prepareScrub(spec, { ep: 'cpu', threads: 1 });
}, 120_000);
afterAll(async () => prepared.dispose());

describe('pruned clean passes', () => {
    it('find the nodes a tensor needs: an early one needs a fraction of the model, the output all of it', () => {
        const ancestry = new ModelAncestry(readModelFile(spec.modelPath));
        const early = ancestry.nodesFor([EARLY]);
        const all = ancestry.nodesFor(['logits']);
        expect(early.kept).toBeGreaterThan(0);
        expect(early.kept).toBeLessThan(0.5 * ancestry.nodeCount);
        expect(all.kept).toBeGreaterThan(0.9 * ancestry.nodeCount);
        expect(ancestry.produces(early.mask, EARLY)).toBe(true);
        expect(ancestry.produces(early.mask, 'logits')).toBe(false);
    });

    it('give the whole model\'s values, and say what a pruned run computes alongside', async () => {
        const { runner } = prepared;
        const examples = Int32Array.from([3, 17, 42, 4000]);
        const pruned = (await runner.clean(examples, [EARLY])).get(EARLY)!;
        expect(runner.prunedModels).toBeGreaterThan(0);
        const whole = (await runner.clean(examples, [EARLY, 'logits'])).get(EARLY)!;
        const size = examples.length * exampleSize(runner.typeOf(EARLY).dims);
        expect(Array.from(pruned.data.subarray(pruned.offset, pruned.offset + size) as Float32Array))
            .toEqual(Array.from(whole.data.subarray(whole.offset, whole.offset + size) as Float32Array));
        expect(runner.computedAlongside([EARLY])('logits')).toBe(false);
        expect(runner.computedAlongside([EARLY])('tokens')).toBe(true);
        expect(runner.computedAlongside(['logits'])(EARLY)).toBe(true);
    });

    it('leave a scrub\'s values unchanged, root by root', async () => {
        const h = spec.hypotheses.find(x => x.name === 'claim2')!;
        prepared.emptyCleanCache();
        const a = await scrubHypothesis(prepared, h, { samples: 200, perExample: true, threads: 1 });
        prepared.runner.pruneClean = false;
        prepared.emptyCleanCache();
        try {
            const b = await scrubHypothesis(prepared, h, { samples: 200, perExample: true, threads: 1 });
            expect(a.perExample).toEqual(b.perExample);
        } finally {
            prepared.runner.pruneClean = true;
        }
    }, 300_000);
});
