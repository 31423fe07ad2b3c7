// The slow checks of every dataset row against the model: what a scrub would refuse, `hyp check`
// and the editor report first, on the declaration, naming the dataset file and line.
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { TOY_GRAPH } from '../fixtures/toy-hyp.js';
import { errors, expectErrorAt, summary, TOY_DIR, validateMarked } from './helpers.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const HYPOTHESIS = `hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}`;

/** A folder with the toy dataset edited by `edit` (row index → replacement line) as d.jsonl. */
function toyData(edit: Record<number, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-data-'));
    const lines = readFileSync(join(TOY_DIR, 'toy_or.jsonl'), 'utf8').trimEnd().split('\n').slice(0, 40);
    for (const [i, line] of Object.entries(edit)) lines[Number(i)] = line;
    writeFileSync(join(dir, 'd.jsonl'), lines.join('\n') + '\n');
    return dir;
}

function toyFile(dataset: string, rest = `${TOY_GRAPH}${HYPOTHESIS}`): string {
    return `model "${join(TOY_DIR, 'toy_or.onnx')}"\n${dataset}\n${rest}`;
}

describe('rows against the model', () => {
    it('a row whose input does not fit the model input is an error on the binding naming the dataset line', async () => {
        const dir = toyData({ 16: '{"z": [1, 2], "y": 0}' });
        const m = await validateMarked(toyFile('dataset "d.jsonl" { input x = <|z|>  label y }'), dir);
        expectErrorAt(m, 0, IssueCodes.InputRow,
            'd.jsonl:17: input "x" has shape [2] here but the model expects [3] (every row must fit the model input, leaving out its batch axis)');
        expect(errors(m)).toHaveLength(1);
    });

    it('a fractional value in an integer input is an error naming the dataset line', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-data-'));
        const rows = readFileSync(join(EXAMPLES, 'paren/paren.jsonl'), 'utf8').split('\n').slice(0, 20).map(l => JSON.parse(l) as { tokens: number[] });
        rows[5].tokens[3] = 1.5;
        writeFileSync(join(dir, 'p.jsonl'), rows.map(r => JSON.stringify(r)).join('\n'));
        const m = await validateMarked(`model "${join(EXAMPLES, 'paren/paren.onnx')}"
dataset "p.jsonl" { input tokens = <|tokens|>  label label }
metric cross_entropy`, dir);
        expectErrorAt(m, 0, IssueCodes.InputRow, /^p\.jsonl:6: input "tokens" holds 1\.5 here but the model input is int64 \(an integer input takes integers/);
    });

    it('a label outside the model\'s classes is an error on the label naming the dataset line', async () => {
        const dir = toyData({ 29: '{"z": [1, 2, 3], "y": 2}' });
        const m = await validateMarked(toyFile('dataset "d.jsonl" { input x = z  label <|y|> }'), dir);
        expectErrorAt(m, 0, IssueCodes.LabelClass,
            'd.jsonl:30: the label 2 is not one of the model\'s 2 classes (0–1) (every label must be a class index of the model output)');
        const negative = await validateMarked(toyFile('dataset "d.jsonl" { input x = z  label <|y|> }'), toyData({ 3: '{"z": [1, 2, 3], "y": -1}' }));
        expectErrorAt(negative, 0, IssueCodes.LabelClass, /^d\.jsonl:4: label field "y" must hold a class index .*got -1$/);
    });

    it('a logit_diff class the model does not have is an error on the metric', async () => {
        const m = await validateMarked(toyFile('dataset "toy_or.jsonl" { input x = z  label y }', `${TOY_GRAPH.replace('metric cross_entropy', 'metric logit_diff(<|0, 5|>)')}${HYPOTHESIS}`));
        expect(summary(errors(m))).toEqual([`${IssueCodes.MetricArguments}: logit_diff(0, 5): class 5 is not one of the model's 2 classes (0–1)`]);
    });

    it('a position outside the output, fixed or read from a row, is an error on the metric', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-data-'));
        const rows = readFileSync(join(EXAMPLES, 'induction/induction.jsonl'), 'utf8').split('\n').slice(0, 12).map(l => JSON.parse(l) as { pos: number });
        rows[8].pos = 64;
        writeFileSync(join(dir, 'i.jsonl'), rows.map(r => JSON.stringify(r)).join('\n'));
        const header = `model "${join(EXAMPLES, 'induction/induction.onnx')}"\ndataset "i.jsonl" { input tokens = tokens  label next }\n`;
        const m = await validateMarked(`${header}metric cross_entropy at position <|pos|>`, dir);
        expectErrorAt(m, 0, IssueCodes.MetricPosition,
            'i.jsonl:9: the position 64 (field "pos") is outside the output\'s 64 positions (positions run from 0 to 63 (or from -64 counting from the end))');
        const fixed = await validateMarked(`${header}metric cross_entropy at position <|-65|>`, dir);
        expectErrorAt(fixed, 0, IssueCodes.MetricPosition, 'position -65 is outside the output\'s 64 positions');
    });

    it('a feature that reads an input part is evaluated on the input the model is fed, and a failing one names the row', async () => {
        const ok = await validateMarked(toyFile('dataset "toy_or.jsonl" { input x = z  label y }', `${TOY_GRAPH}${HYPOTHESIS.replace('z[0] > 3', 'input.z1[0] > 3')}`));
        expect(summary(errors(ok))).toEqual([]);
        const bad = await validateMarked(toyFile('dataset "toy_or.jsonl" { input x = z  label y }', `${TOY_GRAPH}${HYPOTHESIS.replace('z[0] > 3', '<|input.z1[1] > 3|>')}`));
        expectErrorAt(bad, 0, IssueCodes.FeatureRuntime,
            'this feature fails on dataset row 1 (toy_or.jsonl:1): index 1 is out of range for a list of length 1');
    });

    it('an inherited feature that fails only with the extending hypothesis\'s parents is an error on that hypothesis', async () => {
        const m = await validateMarked(toyFile('dataset "toy_or.jsonl" { input x = z  label y }', `${TOY_GRAPH}${HYPOTHESIS.replace('node d -> D = a or b', 'node d -> D = [1, 2][int(b)]')}
hypothesis <|wider|> extends h {
    node b -> B = int(z[1] > 3) * 2 <- input.z2
}`));
        expectErrorAt(m, 0, IssueCodes.FeatureRuntime,
            /^the feature of d \(inherited from h\) fails here: this feature fails on dataset row 2 \(toy_or\.jsonl:2\): index 2 is out of range/);
    });

    it('samples below 2 are an error, as scrub refuses them', async () => {
        const m = await validateMarked(toyFile('dataset "toy_or.jsonl" { input x = z  label y }', `${TOY_GRAPH}samples <|1|>\n${HYPOTHESIS}`));
        expectErrorAt(m, 0, IssueCodes.OptionInvalid, 'samples is an integer ≥ 2 (the CI needs two roots)');
    });

    it('mean ablation of an unimportant integer tensor is an error on the hypothesis (a scrub could not average it)', async () => {
        const paren = readFileSync(join(EXAMPLES, 'paren/paren.hyp'), 'utf8');
        const m = await validateMarked(`${paren.slice(0, paren.indexOf('metric cross_entropy'))}metric cross_entropy
ablation mean
hypothesis <|heads|> {
    node h0 -> R1.h0
    output <- h0
}
hypothesis embedded {
    ablation zero
    node a -> A1.p0 <- input
    output <- a
}`, join(EXAMPLES, 'paren'));
        expectErrorAt(m, 0, IssueCodes.OptionInvalid,
            'ablation mean averages the G-parents this hypothesis leaves unimportant, but tokens holds int64 values: a scrub would stop (use ablation resample or zero, or claim input)');
        expect(summary(errors(m)).filter(d => d.startsWith(IssueCodes.OptionInvalid))).toHaveLength(1);
    });

    it('a model whose output is not float32 logits is an error on the metric', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-data-'));
        const b = new GraphBuilder('int_out');
        b.input('x', 'float32', ['batch', 3]);
        b.node('Cast', ['x'], [{ name: 'y', dtype: 'int64', dims: ['batch', 3] }], { to: 7 });
        b.output('y');
        writeFileSync(join(dir, 'int.onnx'), writeModel(b.build()));
        const m = await validateMarked(`model "int.onnx"\ndataset "${join(TOY_DIR, 'toy_or.jsonl')}" { input x = z  label y }\nmetric <|cross_entropy|>`, dir);
        expectErrorAt(m, 0, IssueCodes.MetricUnknown,
            'the model output "y" holds int64 values; every metric reads float32 logits (export the model with float32 logits as its first output)');
    });

    it('the bundled examples have no errors', async () => {
        for (const file of ['toy/toy.hyp', 'paren/paren.hyp', 'induction/induction.hyp']) {
            const path = join(EXAMPLES, file);
            const m = await validateMarked(readFileSync(path, 'utf8'), resolve(path, '..'));
            expect(summary(errors(m)), file).toEqual([]);
        }
    });
});
