// hyp check runs the rewrites' check on dataset rows (cli/rewrite-diagnostics.ts): an affine map
// whose float32 evaluation in the model loses its input (O = (Z + 1e8) − 1e8) passes the
// structural check, but its parts do not add up to the model's O, which is a located error at
// the hook, not a scrub of another model.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteDiagnostics } from '../../cli/rewrite-diagnostics.js';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { removeRewriteCases, writeRewriteCase } from '../fixtures/rewrite-models.js';

afterAll(removeRewriteCases);

const text = `model "model.onnx"
dataset "data.jsonl" { input x = x  label y }
metric cross_entropy
graph {
    node Z = "Z" split axis 1 { h0: 0, h1: 1, h2: 2 }
    node O = "O" split through Z
}
hypothesis h {
    node z -> Z.h1 <- input
    node o -> O.h1 = y <- z
    output <- o
}
`;

describe('hyp check on a rewrite that is not exact on the rows', () => {
    it('is rewrite-inexact at the hook\'s line, with the size of the difference and the row', async () => {
        const dir = writeRewriteCase('cancel');
        const file = join(dir, 'cancel.hyp');
        writeFileSync(file, text);
        const checked = await checkHypFile(file, { prober: probeModelFile });
        // The language's checks pass: the chain is affine.
        expect(checked.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
        const found = await rewriteDiagnostics(checked.spec, file);
        expect(found).toEqual([{ file, line: 6, column: 1, severity: 'error', code: 'rewrite-inexact',
            message: expect.stringMatching(/^the parts of "O" do not add up to "O" on the dataset's rows: they differ by up to 1\.00 where the tensor is zero on every row checked, most at .*data\.jsonl:\d+ \(the map from its source is not linear on these rows, or the model loses precision/) }]);
    }, 60_000);

    it('an exact rewrite adds nothing', async () => {
        const dir = writeRewriteCase('heads');
        const file = join(dir, 'heads.hyp');
        writeFileSync(file, text);
        const checked = await checkHypFile(file, { prober: probeModelFile });
        expect(await rewriteDiagnostics(checked.spec, file)).toEqual([]);
    }, 60_000);

    it('a subspace of a tensor holding -inf (tiny_gpt\'s masked attention scores) is rewrite-inexact naming the infinity, not a NaN in the scrub', async () => {
        // Found by test/language/generated-hypotheses.test.ts: the projection of a row holding -inf is
        // NaN, which the check compared as relative NaN (never above the tolerance) and accepted; the
        // scrub then stopped on a NaN activation.
        const examples = join(import.meta.dirname, '../../examples/torch-export');
        const dir = writeRewriteCase('heads');
        const file = join(dir, 'masked.hyp');
        writeFileSync(file, `model "${examples}/tiny_gpt.onnx"
dataset "${examples}/tiny_gpt.jsonl" { input tokens = tokens  label prev }
metric cross_entropy at position pos
graph {
    node S = "/blocks.0/attn/Where_output_0" split subspace { k: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0] }
}
hypothesis h {
    node k -> S.k <- input
    output <- k, input
}
`);
        const checked = await checkHypFile(file, { prober: probeModelFile });
        expect(checked.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
        const found = await rewriteDiagnostics(checked.spec, file);
        expect(found).toEqual([{ file, line: 5, column: 1, severity: 'error', code: 'rewrite-inexact',
            message: expect.stringMatching(/^"\/blocks\.0\/attn\/Where_output_0" holds -Infinity \(at .*tiny_gpt\.jsonl:1\), and its parts do not add up to it: where it is \S+ they add up to NaN \(a tensor holding infinities/) }]);
    }, 60_000);
});
