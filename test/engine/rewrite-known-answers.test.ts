// Known answers for the rewrites of a hook point into a sum of parts (engine/graph/rewrite.ts) on
// the hand-built models of test/fixtures/rewrite-models.ts, where the logits read one direction of
// a hidden vector, or one head's output after W_O. Every root's clean prediction is right; a root
// whose scrubbed logits carry the wrong label's signal is wrong.
//
// direction: claiming H.v with the label as feature keeps the projection the logits read on an
// example of x's label, and H.rest drawn at random moves nothing the logits read: every root keeps
// its clean value, 100% exactly (to float rounding). Claiming only H.rest leaves H.v on a random
// example: right or wrong by chance, as the random baseline is: 0% within the CI.
// heads: head 1's contribution after W_O is the whole signal (heads 0 and 2 add equal amounts to
// both logits, which no cross-entropy sees): O.h1 alone recovers 100%, any other head alone ~0%.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveG } from '../../engine/graph/derive-g.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import type { HookSpec, HypothesisSpec, InterpNodeSpec } from '../../engine/spec.js';
import { removeRewriteCases, rewriteSpec, ROWS, writeRewriteCase } from '../fixtures/rewrite-models.js';

const label = { kind: 'ref', name: 'y' } as const;
const hyp = (name: string, nodes: InterpNodeSpec[]): HypothesisSpec =>
    ({ name, nodes, options: { samples: 2 * ROWS, seed: 3, ablation: 'resample', unimportant: 'shared' } });
const node = (name: string, graphNode: string, parents: string[], feature: InterpNodeSpec['feature'] = null): InterpNodeSpec =>
    ({ name, graphNode, feature, parents });
const out = (...parents: string[]) => node('out', 'output', parents);

const V = Math.SQRT1_2;
const directionHooks: HookSpec[] = [{ name: 'H', tensor: 'H', rewrite: { kind: 'subspace', parts: [{ name: 'v', vectors: [[V, V]] }] } }];
const headHooks: HookSpec[] = [
    { name: 'Z', tensor: 'Z', split: { axis: 1, parts: [{ name: 'h0', indices: [0] }, { name: 'h1', indices: [1] }, { name: 'h2', indices: [2] }] } },
    { name: 'O', tensor: 'O', rewrite: { kind: 'through', source: 'Z' } },
];

afterAll(removeRewriteCases);

describe('a decomposition by subspaces (direction model)', () => {
    let p: PreparedScrub;
    beforeAll(async () => { p = await prepareScrub(rewriteSpec(writeRewriteCase('direction'), directionHooks), { ep: 'cpu', threads: 1 }); }, 60_000);
    afterAll(() => p?.dispose());

    it('makes the parts H.v and H.rest, each depending on the input', () => {
        expect([...p.g.nodes.keys()]).toEqual(['input', 'H.v', 'H.rest', 'output']);
        expect(p.g.partParents('H.v')).toEqual(['input']);
        expect(p.g.partParents('output')).toEqual(['H.v', 'H.rest']);
        expect(p.g.nodes.get('H.v')!.rewrite).toMatch(/rank-1 subspace/);
    });

    it('claiming the direction the logits read, by the label, recovers 100%', async () => {
        const r = await scrubHypothesis(p, hyp('v', [node('hv', 'H.v', ['input'], label), out('hv')]), { perExample: true });
        expect(r.lossRecovered).toBeCloseTo(1, 5);
        expect(r.perExample!.scrubbed.every((s, i) => Math.abs(s - r.perExample!.clean[i]) < 1e-5)).toBe(true);
    });

    it('claiming only the rest leaves the direction random: 0% within the CI', async () => {
        const r = await scrubHypothesis(p, hyp('rest', [node('hr', 'H.rest', ['input'], label), out('hr')]), {});
        expect(r.ci95[0]).toBeLessThan(0);
        expect(r.ci95[1]).toBeGreaterThan(0);
        expect(Math.abs(r.lossRecovered)).toBeLessThan(0.2);
    });

    it('identity through the rewrite is exactly 100%', async () => {
        const r = await scrubHypothesis(p, hyp('id', [node('hv', 'H.v', ['input']), node('hr', 'H.rest', ['input']), out('hv', 'hr')]), {});
        expect(r.lossRecovered).toBe(1);
    });
});

describe('a rewrite through a linear map (heads model: per-head outputs after W_O)', () => {
    let p: PreparedScrub;
    beforeAll(async () => { p = await prepareScrub(rewriteSpec(writeRewriteCase('heads'), headHooks), { ep: 'cpu', threads: 1 }); }, 60_000);
    afterAll(() => p?.dispose());

    const headAlone = (h: string) => hyp(h, [node('z', `Z.${h}`, ['input']), node('o', `O.${h}`, ['z'], label), out('o')]);

    it('makes one part per head and the bias; head k\'s contribution depends on Z.k alone', () => {
        expect([...p.g.nodes.keys()]).toEqual(['input', 'Z.h0', 'Z.h1', 'Z.h2', 'O.h0', 'O.h1', 'O.h2', 'O.bias', 'output']);
        expect(p.g.partParents('O.h1')).toEqual(['Z.h1']);
        expect(p.g.partParents('O.bias')).toEqual([]);
        expect(p.g.nodes.get('O.h1')!.rewrite).toMatch(/Transpose → Reshape → MatMul → Add/);
    });

    it('head 1\'s output after W_O alone recovers 100%', async () => {
        const r = await scrubHypothesis(p, headAlone('h1'), { perExample: true });
        expect(r.lossRecovered).toBeCloseTo(1, 5);
    });

    it.each(['h0', 'h2'])('head %s alone recovers ~0%', async h => {
        const r = await scrubHypothesis(p, headAlone(h), {});
        expect(r.ci95[0]).toBeLessThan(0);
        expect(r.ci95[1]).toBeGreaterThan(0);
    });

    it('identity through the rewrite is exactly 100%', async () => {
        const nodes = ['h0', 'h1', 'h2'].flatMap(h => [node(`z${h}`, `Z.${h}`, ['input']), node(`o${h}`, `O.${h}`, [`z${h}`])]);
        const r = await scrubHypothesis(p, hyp('id', [...nodes, node('ob', 'O.bias', []), out('oh0', 'oh1', 'oh2', 'ob')]), {});
        expect(r.lossRecovered).toBe(1);
    });
});

describe('a rewrite through a chain with a node of several outputs (Split, then Concat)', () => {
    it('copies the node with its outputs in place: head 1 alone 100%, its part reads Z.h1 alone', async () => {
        const p = await prepareScrub(rewriteSpec(writeRewriteCase('swap'), headHooks), { ep: 'cpu', threads: 1 });
        try {
            expect(p.g.partParents('O.h1')).toEqual(['Z.h1']);
            const r = await scrubHypothesis(p, hyp('h1', [node('z', 'Z.h1', ['input']), node('o', 'O.h1', ['z'], label), out('o')]), {});
            expect(r.lossRecovered).toBeCloseTo(1, 5);
        } finally {
            await p.dispose();
        }
    });
});

describe('rewrites that cannot be made are located errors', () => {
    it('a Tanh between the W_O product and the bias is rewrite-not-linear, naming the op', () => {
        const dir = writeRewriteCase('heads-gelu');
        const { problems } = deriveG(loadModelGraph(`${dir}/model.onnx`), rewriteSpec(dir, headHooks).graph);
        expect(problems).toEqual([expect.objectContaining({ code: 'rewrite-not-linear', hook: 'O', message: expect.stringMatching(/the Tanh node/) })]);
    });

    it('a scrub of it stops with that error at the hook', async () => {
        const dir = writeRewriteCase('heads-gelu');
        const spec = rewriteSpec(dir, headHooks.map(h => ({ ...h, source: { file: 'f.hyp', line: 7 } })));
        await expect(prepareScrub(spec, { ep: 'cpu', threads: 1 })).rejects.toMatchObject({ code: 'rewrite-not-linear', location: { file: 'f.hyp', line: 7 } });
    });

    it('an affine map the model evaluates without its input (O = (Z + 1e8) − 1e8 in float32) is rewrite-inexact at the hook', async () => {
        const dir = writeRewriteCase('cancel');
        const spec = rewriteSpec(dir, headHooks.map(h => ({ ...h, source: { file: 'f.hyp', line: 3 } })));
        await expect(prepareScrub(spec, { ep: 'cpu', threads: 1 })).rejects.toMatchObject({ code: 'rewrite-inexact', location: { file: 'f.hyp', line: 3 } });
    });

    it('a map the structure passes but whose values are not additive (a round trip through float16) is rewrite-not-linear on the rows', async () => {
        const dir = writeRewriteCase('half');
        const spec = rewriteSpec(dir, headHooks.map(h => ({ ...h, source: { file: 'f.hyp', line: 4 } })));
        await expect(prepareScrub(spec, { ep: 'cpu', threads: 1 })).rejects.toMatchObject({
            code: 'rewrite-not-linear', location: { file: 'f.hyp', line: 4 },
            message: expect.stringMatching(/^"O" is not linear in Z on the dataset's rows: O\(a \+ b\) differs from O\(a\) \+ O\(b\) − O\(0\) by up to .*, for the rows at .*data\.jsonl:\d+ and .*data\.jsonl:\d+$/),
        });
    });

    it('subspaces that are not orthogonal are rewrite-not-orthogonal, naming the pair', () => {
        const dir = writeRewriteCase('direction');
        const { problems } = deriveG(loadModelGraph(`${dir}/model.onnx`), { hooks: [{ name: 'H', tensor: 'H',
            rewrite: { kind: 'subspace', parts: [{ name: 'a', vectors: [[1, 0]] }, { name: 'b', vectors: [[1, 1]] }] } }] });
        expect(problems).toEqual([expect.objectContaining({ code: 'rewrite-not-orthogonal', message: expect.stringMatching(/"a" and "b"/) })]);
    });

    it('a vector of the wrong length is rewrite-invalid, with both lengths', () => {
        const dir = writeRewriteCase('direction');
        const { problems } = deriveG(loadModelGraph(`${dir}/model.onnx`), { hooks: [{ name: 'H', tensor: 'H',
            rewrite: { kind: 'subspace', parts: [{ name: 'a', vectors: [[1, 0, 0]] }] } }] });
        expect(problems).toEqual([expect.objectContaining({ code: 'rewrite-invalid', message: expect.stringMatching(/3 entries.*has 2/) })]);
    });
});
