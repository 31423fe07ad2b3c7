// hyp check runs the rewrites' check on dataset rows (cli/rewrite-diagnostics.ts): an affine map
// whose float32 evaluation in the model loses its input (O = (Z + 1e8) − 1e8) passes the
// structural check, but its parts do not add up to the model's O, which is a located error at
// the hook, not a scrub of another model.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteDiagnostics } from '../../cli/rewrite-diagnostics.js';
import { checkHypFile } from '../../language/check-file.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { removeRewriteCases, writeRewriteCase } from '../fixtures/rewrite-models.js';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';

afterAll(removeRewriteCases);
const logDirs: string[] = [];
afterAll(() => logDirs.forEach(d => rmSync(d, { recursive: true, force: true })));

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

    it('a subspace of a tensor holding -inf on a row past the probe\'s is rewrite-inexact naming the infinity, not a NaN in the scrub', async () => {
        // Found by test/language/generated-hypotheses.test.ts (on tiny_gpt's masked attention scores): the
        // projection of a row holding -inf is NaN, which the check compared as relative NaN (never above
        // the tolerance) and accepted; the scrub then stopped on a NaN activation. Here H = log(x) is
        // -inf on the fourth row only, which the probe run (the first two rows) does not see.
        const b = new GraphBuilder('log');
        b.input('x', 'float32', ['batch', 2]);
        b.node('Log', ['x'], [{ name: 'H', dtype: 'float32', dims: ['batch', 2] }]);
        b.initializer('W', Float32Array.of(1, -1, -1, 1), [2, 2]);
        b.node('MatMul', ['H', 'W'], [{ name: 'logits', dtype: 'float32', dims: ['batch', 2] }]);
        b.output('logits');
        const dir = mkdtempSync(join(tmpdir(), 'hyp-rewrite-log-'));
        logDirs.push(dir);
        writeFileSync(join(dir, 'model.onnx'), writeModel(b.build()));
        writeFileSync(join(dir, 'data.jsonl'), Array.from({ length: 20 }, (_, i) => JSON.stringify({ x: i === 3 ? [0, 1] : [1 + (i % 3), 2], y: i % 2 })).join('\n'));
        const file = join(dir, 'log.hyp');
        writeFileSync(file, `model "model.onnx"
dataset "data.jsonl" { input x = x  label y }
metric cross_entropy
graph {
    node H = "H" split subspace { a: [1, 0] }
}
hypothesis h {
    node a -> H.a <- input
    output <- a
}
`);
        const checked = await checkHypFile(file, { prober: probeModelFile });
        expect(checked.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
        const found = await rewriteDiagnostics(checked.spec, file);
        expect(found).toEqual([{ file, line: 5, column: 1, severity: 'error', code: 'rewrite-inexact',
            message: expect.stringMatching(/^"H" holds -Infinity \(at .*data\.jsonl:4\), and its parts do not add up to it: where it is -Infinity they add up to NaN \(a tensor holding infinities/) }]);
    }, 60_000);
});
