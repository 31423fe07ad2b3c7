import { describe, expect, it } from 'vitest';
import { checkHypFile } from '../../language/check-file.js';
import { SYNTHETIC_FAMILY, syntheticFile, syntheticHyp, syntheticName } from '../../bench/synthetic/family.js';
import { treePaths } from '../../bench/tree-paths.js';

/**
 * Paths of a shape's tree, counted by layer (bottom first): a head of layer k reads f parts, each
 * a leaf (the input) plus both heads of every claimed layer below; the output reads every head.
 */
function expectedPaths(depth: number, fanIn: number): number {
    const head: number[] = [];
    for (let k = 0; k < depth; k++) head.push(fanIn * (1 + 2 * head.reduce((a, b) => a + b, 0)));
    return 2 * head.reduce((a, b) => a + b, 0);
}

describe('synthetic depth / fan-in family', () => {
    // The files are committed so that `hyp check` and `hyp scrub` run on them as on any example;
    // `-u` rewrites them from the generator.
    for (const shape of SYNTHETIC_FAMILY) {
        it(`${syntheticName(shape)}.hyp is what the generator writes`, async () => {
            await expect(syntheticHyp(shape)).toMatchFileSnapshot(`../../${syntheticFile(shape)}`);
        });
    }

    it('every file checks without errors or warnings, with the tree paths its shape predicts', async () => {
        for (const shape of SYNTHETIC_FAMILY) {
            const { spec, diagnostics } = await checkHypFile(syntheticFile(shape));
            expect(diagnostics.filter(d => d.severity !== 'info'), syntheticName(shape)).toEqual([]);
            expect(treePaths(spec!.hypotheses[0]), syntheticName(shape)).toBe(expectedPaths(shape.depth, shape.fanIn));
        }
        // About 2f + 1 times as many per layer: d1f4 8, d2f4 80, d3f4 728.
        expect([1, 2, 3].map(d => expectedPaths(d, 4))).toEqual([8, 80, 728]);
    }, 120_000);

    it('rejects shapes the paren model does not have', () => {
        expect(() => syntheticHyp({ depth: 4, fanIn: 2 })).toThrow(/depth/);
        expect(() => syntheticHyp({ depth: 1, fanIn: 1 })).toThrow(/fan-in/);
    });
});
