import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { TOY_GRAPH } from '../fixtures/toy-hyp.js';
import { errors, expectErrorAt, expectWarningAt, summary, TOY_DIR, TOY_HEADER, validateMarked } from './helpers.js';

const GRAPH = `${TOY_GRAPH}hypothesis all { node a -> A <- input.z1  node b -> B <- input.z2  node c -> C <- input.z3  node d -> D <- a, b, c  output <- d }`;

describe('declarations, dataset, metric and options', () => {
    it('a missing model file is an error on its path', async () => {
        const m = await validateMarked(`model <|"nope.onnx"|>\ndataset "toy_or.jsonl" { input x = z label y }\nmetric kl`);
        expectErrorAt(m, 0, IssueCodes.ModelUnreadable, /^cannot load the model: file not found: .*nope\.onnx$/);
    });

    it('a corrupt dataset is an error naming the line', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
        writeFileSync(join(dir, 'bad.jsonl'), '{"z": [1, 2, 3], "y": 1}\n{"z": oops}\n');
        const m = await validateMarked(`model "${join(TOY_DIR, 'toy_or.onnx')}"\ndataset <|"bad.jsonl"|> { input x = z label y }`, dir);
        expectErrorAt(m, 0, IssueCodes.DatasetUnreadable, /^cannot load the dataset: line is not valid JSON: .* \(line 2\)$/);
    });

    it('a file without model or dataset is an error', async () => {
        const m = await validateMarked('<|metric kl|>');
        expectErrorAt(m, 0, IssueCodes.ModelMissing, 'a hypothesis file needs a model: add `model "file.onnx"`');
        expectErrorAt(m, 0, IssueCodes.DatasetMissing, 'a hypothesis file needs a dataset: add `dataset "file.jsonl" { input … label … }`');
    });

    it('an input that the model does not have, and a model input left unbound, are errors', async () => {
        const m = await validateMarked(`model "toy_or.onnx"
<|dataset|> "toy_or.jsonl" { input <|xx|> = z  label y }
${GRAPH}`);
        expectErrorAt(m, 1, IssueCodes.InputUnknown, 'the model has no input "xx"; did you mean "x"? (inputs: x)');
        expectErrorAt(m, 0, IssueCodes.InputUnbound, 'model input "x" not bound: add `input x = <field>`');
    });

    it('a label field the dataset lacks is an error with a did-you-mean, and so is a missing label', async () => {
        const m = await validateMarked(`model "toy_or.onnx"
dataset "toy_or.jsonl" { input x = z  label <|yy|> }
${GRAPH}`);
        expectErrorAt(m, 0, IssueCodes.LabelUnknown, 'the dataset has no field "yy"; did you mean "y"?');
        const n = await validateMarked(`model "toy_or.onnx"
dataset "toy_or.jsonl" { input x = z }
${GRAPH.replace('metric cross_entropy', 'metric <|accuracy|>')}`);
        expectErrorAt(n, 0, IssueCodes.LabelMissing, 'the metric accuracy compares with a label: add `label <field>` to the dataset block');
    });

    it('an input bound to an expression of the wrong type is an error', async () => {
        const m = await validateMarked(`model "toy_or.onnx"
dataset "toy_or.jsonl" { input x = [z, <|[true]|>]  label y }
${GRAPH}`);
        expectErrorAt(m, 0, IssueCodes.FeatureType, 'list elements must have one type: list<boolean> after list<int>');
        const n = await validateMarked(`model "toy_or.onnx"
dataset "toy_or.jsonl" { input x = <|"abc"|>  label y }
${GRAPH}`);
        expectErrorAt(n, 0, IssueCodes.InputType, 'input "x" is a string: declare a `vocabulary { "a": 0, … }` to tokenise it');
    });

    it('vocabulary entries must be single characters and bos/pad must be tokens', async () => {
        const m = await validateMarked(`${TOY_HEADER}
dataset "toy_or.jsonl" { input x = z label y vocabulary { "(": 0, <|"ab"|>: 1 } bos <|"["|> }`);
        expectErrorAt(m, 0, IssueCodes.VocabularyInvalid, 'strings are tokenised per character: token "ab" must be one character (or be the bos/pad token)');
        expectErrorAt(m, 1, IssueCodes.VocabularyInvalid, 'the bos token "[" is not in the vocabulary');
    });

    it('an unknown metric, wrong metric arguments and bad option values are errors', async () => {
        const m = await validateMarked(`${TOY_HEADER.replace('metric cross_entropy', 'metric <|cross_entropi|>')}
samples <|0|>  ablation <|average|>  unimportant <|shard|>`);
        expectErrorAt(m, 0, IssueCodes.MetricUnknown, 'unknown metric "cross_entropi"; did you mean "cross_entropy"? (metrics: cross_entropy, accuracy, logit_diff, kl)');
        expectErrorAt(m, 1, IssueCodes.OptionInvalid, 'samples is an integer ≥ 2 (the CI needs two roots)');
        expectErrorAt(m, 2, IssueCodes.OptionInvalid, 'ablation is resample, mean, zero');
        expectErrorAt(m, 3, IssueCodes.OptionInvalid, 'unimportant is shared or separate');
        const n = await validateMarked(`${TOY_HEADER.replace('metric cross_entropy', 'metric <|logit_diff|>(1) at position <|pos|>')}`);
        expectErrorAt(n, 0, IssueCodes.MetricArguments, "logit_diff takes no arguments (x's label against the other classes) or two class indices: logit_diff(a, b)");
        expectErrorAt(n, 1, IssueCodes.MetricPosition, 'the dataset has no field "pos" to read the position from');
    });

    it('logit_diff between two fixed classes is a warning: it reads no label, so its random baseline is the clean expectation', async () => {
        const m = await validateMarked(TOY_HEADER.replace('metric cross_entropy', 'metric <|logit_diff|>(1, 0)'));
        expectWarningAt(m, 0, IssueCodes.MetricLabelFree, /^logit_diff\(a, b\) reads no label: the random baseline has the clean model's expectation/);
        expect(errors(m)).toEqual([]);
        const labelled = await validateMarked(TOY_HEADER.replace('metric cross_entropy', 'metric logit_diff'));
        expect(labelled.result.diagnostics.filter(d => d.code === IssueCodes.MetricLabelFree)).toEqual([]);
        expect(errors(labelled)).toEqual([]);
    });

    it('logit_diff without classes compares with the label: a dataset without one is an error', async () => {
        const m = await validateMarked(`${TOY_HEADER.replace('metric cross_entropy', 'metric <|logit_diff|>').replace(/label y\s*/, '')}`);
        expectErrorAt(m, 0, IssueCodes.LabelMissing, 'the metric logit_diff compares with a label: add `label <field>` to the dataset block');
    });
});

describe('graph checks', () => {
    it('an unknown tensor is an error whose message suggests the closest name', async () => {
        const m = await validateMarked(TOY_HEADER.replace('node B = "B"', 'node B = <|"Bb"|>'));
        expectErrorAt(m, 0, IssueCodes.TensorUnknown, 'no tensor "Bb" in the model; did you mean "B"?');
        expect(errors(m)[0].data).toEqual({ suggestion: 'B' });
    });

    it('a split part out of range and a backwards range are errors', async () => {
        const m = await validateMarked(TOY_HEADER.replace('{ z1: 0, z2: 1, z3: 2 }', '{ z1: 0, z2: 1, z3: <|3..2|> }'));
        expectErrorAt(m, 0, IssueCodes.SplitInvalid, 'the range 3..2 is empty: ranges are end-exclusive and ascending');
        const n = await validateMarked(TOY_HEADER.replace('{ z1: 0, z2: 1, z3: 2 }', '{ z1: 0, z2: 1, <|rest|>: 2 }'));
        expectErrorAt(n, 0, IssueCodes.SplitInvalid, '`rest` names the elements no part covers; choose another name');
    });

    it('a weight used as a hook point is an error: it does not depend on the input', async () => {
        const m = await validateMarked(TOY_HEADER.replace('node D = "D"', 'node D = "D"\n    node K = <|"three"|>'));
        expectErrorAt(m, 0, IssueCodes.TensorUnreachable, '"three" is an initializer (a weight), not an activation: it does not depend on the input');
    });

    it('a hook point that no hypothesis maps is a warning', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis correct {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}`.replace('node C = "C"', 'node <|C|> = "C"'));
        expectWarningAt(m, 0, IssueCodes.HookUnused, 'no hypothesis maps a node to C: every hypothesis claims it does not matter (remove it if that is not the point)');
        expect(summary(m.result.diagnostics)).toHaveLength(1);
    });
});

describe('the bundled example', () => {
    it('examples/toy/toy.hyp has no diagnostics at all', async () => {
        const { readFileSync } = await import('node:fs');
        const m = await validateMarked(readFileSync(join(TOY_DIR, 'toy.hyp'), 'utf8'));
        expect(summary(m.result.diagnostics)).toEqual([]);
    });
});
