import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectHover } from 'langium/test';
import { describe, it } from 'vitest';
import { agreementCounts } from '../../language/lsp/describe.js';
import { services, TOY_HEADER, toyUri } from './helpers.js';
import { expect } from 'vitest';

const hover = expectHover(services);
const PAREN_DIR = resolve(import.meta.dirname, '../../examples/paren');
const on = (text: string, expected: string | RegExp) => hover({ text, index: 0, hover: expected, parseOptions: { documentUri: toyUri() }, disposeAfterCheck: true });

const HYPOTHESIS = `${TOY_HEADER}
hypothesis h {
    node <|>a -> <|>A = z[0] > 3 <- input.z1
    node d -> D = <|>a or <|>len(z) > 9 <- a
    output <- d
}`;

/** The text with only the i-th `<|>` marker kept. */
function marker(text: string, i: number): string {
    let n = -1;
    return text.replace(/<\|>/g, m => (++n === i ? m : ''));
}

describe('hovers', () => {
    it('an I node shows its feature agreement counts and the G-parents it claims or leaves to resampling', async () => {
        await on(marker(HYPOTHESIS, 0), new RegExp([
            '^\\*\\*I node `a`\\*\\* → G node `A` · feature `z\\[0\\] > 3`',
            'Feature agreement over 4000 examples: \\*\\*2 classes\\*\\*, largest \\d+, smallest \\d+',
            '0 examples \\(0%\\) in singleton classes: resampling returns the example itself',
            'Top values: `false` × \\d+, `true` × \\d+',
            // A reads input.z1 alone (part-level G): z2 and z3 are not its G-parents.
            'G-parents of `A` claimed: `input.z1`; resampled as unimportant: none$',
        ].join('\\n\\n')));
    });

    it('a G node shows its tensor, dtype, shape, producer and G-parents', async () => {
        await on(marker(HYPOTHESIS, 1), /^\*\*G node `A`\*\* \(hook point\)\n\ntensor `"A"` · `float32 \[.*\]` · produced by `\w+`.*\n\nG-parents: `input.z1`$/);
    });

    it('an I-parent named in a feature is the I node', async () => {
        await on(marker(HYPOTHESIS, 2), /^\*\*I node `a`\*\*/);
    });

    it('a hypothesis shows its plan: distinct requests per root from a probe plan, by depth from the output', async () => {
        await on(HYPOTHESIS.replace('hypothesis h {', 'hypothesis <|>h {').replace(/<\|>(?=a|A)/g, ''),
            /^\*\*hypothesis `h`\*\*: 2 I nodes\n\nPlan: ≈ \d distinct requests per root \(probe plan of 8 roots; by depth from the output: 1, [\d, .]+\)\.$/);
    });

    it('a hypothesis on a G node the graph lacks says so in its plan line, not as an internal error', async () => {
        await on(`${TOY_HEADER}\nhypothesis <|>h {\n    node a -> Q <- input.z1\n    output <- a\n}`,
            '**hypothesis `h`**: 1 I node\n\nPlan: not estimated (a\'s G node Q is not in G).');
    });

    it('a builtin shows its signature and documentation', async () => {
        await on(marker(HYPOTHESIS, 3), '`len(xs) → int`\n\nNumber of elements of a list, or characters of a string.');
    });

    it('a dataset field shows its type and an example', async () => {
        await on(`${TOY_HEADER.replace('label y', 'label <|>y')}`, '**field `y`** : `int`  \nexample (row 1): `1`');
    });

    it('a tensor string shows the tensor', async () => {
        await on(TOY_HEADER.replace('node B = "B"', 'node B = <|>"B"'), /^tensor `"B"` · `float32 \[.*\]` · produced by/);
    });

    it('paren I nodes whose I-parents have no feature show their agreement counts (h0: the horizon test, c0: the count test)', async () => {
        const text = readFileSync(join(PAREN_DIR, 'paren.hyp'), 'utf8');
        const at = (needle: string) => text.replace(needle, needle.replace('node ', 'node <|>'));
        const uri = toyUri(PAREN_DIR);
        await hover({ text: at('node h0 -> R1.h0 = all('), index: 0, parseOptions: { documentUri: uri }, disposeAfterCheck: true,
            hover: /^\*\*I node `h0`\*\* → G node `R1\.h0` · feature `all\(.*\n\nFeature agreement over 5000 examples: \*\*2 classes\*\*, largest \d+, smallest \d+/ });
        await hover({ text: at('node c0 -> R2.h0 = count('), index: 0, parseOptions: { documentUri: toyUri(PAREN_DIR) }, disposeAfterCheck: true,
            hover: /\n\nFeature agreement over 5000 examples: \*\*2 classes\*\*.*\n\n.*\n\nTop values: `(true|false)` × \d+, `(true|false)` × \d+/ });
    });

    it('a feature that reads an input part shows the counts of the values the model is fed', async () => {
        await on(HYPOTHESIS.replace('node <|>a -> <|>A = z[0] > 3', 'node <|>a -> A = input.z1[0] > 3').replace(/<\|>(?=a or)|<\|>(?=len)/g, ''),
            /^\*\*I node `a`\*\* → G node `A` · feature `input\.z1\[0\] > 3`\n\nFeature agreement over 4000 examples: \*\*2 classes\*\*/);
    });

    it('says why the counts are missing when the feature reads a parent whose values are not known', async () => {
        const text = HYPOTHESIS.replace('model "toy_or.onnx"', 'model "missing.onnx"')
            .replace('node <|>a -> <|>A = z[0] > 3', 'node <|>a -> A = input.z1[0] > 3').replace(/<\|>(?=a or)|<\|>(?=len)/g, '');
        await on(text, /\n\nAgreement counts are not available: the feature reads input\.z1, whose values are not known here \(the model and dataset must load and fit each other\)\.$/);
    });

    it('agreement counts: classes, extremes, singletons and top values', () => {
        expect(agreementCounts([1, 1, 2, 3, 3, 3, 4])).toEqual({
            examples: 7, classes: 4, largest: 3, smallest: 1, singletons: 2,
            top: [{ value: 3, count: 3 }, { value: 1, count: 2 }, { value: 2, count: 1 }, { value: 4, count: 1 }],
        });
    });
});
