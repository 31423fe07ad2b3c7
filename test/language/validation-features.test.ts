import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { errors, expectErrorAt, expectWarningAt, summary, TOY_DIR, TOY_HEADER, validateMarked } from './helpers.js';

const hyp = (body: string) => `${TOY_HEADER}\nhypothesis h {\n${body}\n}`;

describe('feature names', () => {
    it('an unknown field is an error with a did-you-mean', async () => {
        const m = await validateMarked(hyp('node a -> A = <|zz|>[0] > 3 <- input.z1\n output'));
        expectErrorAt(m, 0, IssueCodes.FeatureUnknownName, '"zz" is neither a dataset field nor an I-parent of a; did you mean "z"?');
    });

    it('an I node that is not an I-parent cannot be read', async () => {
        const m = await validateMarked(hyp(`node a -> A = z[0] > 3 <- input.z1
node b -> B = z[1] > 3 <- input.z2
node d -> D = a or <|b|> <- a
output <- d`));
        expectErrorAt(m, 0, IssueCodes.FeatureUnknownName, 'b is an I node but not an I-parent of d: add it after `<-` to read its feature');
    });

    it('an input part that is not an I-parent cannot be read, one that is reads as a list', async () => {
        const m = await validateMarked(hyp(`node a -> A = <|input.z2|>[0] > 3 <- input.z1
node b -> B = input.z2[0] > 3 <- input.z2
output`));
        expectErrorAt(m, 0, IssueCodes.FeatureUnknownName, 'input.z2 is not an I-parent of a: add `<- input.z2` to read its value');
        expect(errors(m)).toHaveLength(1);
    });

    it('reading a parent without a feature is an error', async () => {
        const m = await validateMarked(hyp(`node a -> A <- input.z1
node d -> D = <|a|> <- a
output <- d`));
        expectErrorAt(m, 0, IssueCodes.FeatureParentWithoutFeature, 'a has no feature to read: give it one (`node a -> A = …`)');
    });

    it('lambda parameters are in scope in their body only', async () => {
        const m = await validateMarked(hyp(`node a -> A = count(z, v => v > 3) + <|v|> <- input.z1
output`));
        expectErrorAt(m, 0, IssueCodes.FeatureUnknownName, /^"v" is neither a dataset field nor an I-parent of a/);
        expect(errors(m)).toHaveLength(1);
    });
});

describe('feature types', () => {
    it('types flow from fields and I-parents: comparing a boolean parent with a number is an error', async () => {
        const m = await validateMarked(hyp(`node a -> A = z[0] > 3 <- input.z1
node d -> D = <|a > 1|> <- a
output <- d`));
        expectErrorAt(m, 0, IssueCodes.FeatureType, '`>` compares two numbers or two strings, not boolean and int');
    });

    it('builtin misuse is an error on the argument, unknown functions get a did-you-mean', async () => {
        const m = await validateMarked(hyp(`node a -> A = sum(<|z[0]|>) <- input.z1
node b -> B = <|lenn(z)|> <- input.z2
node c -> C = <|len()|> <- input.z3
node d -> D = any(z, x => <|x|>) <- a, b, c
output <- d`));
        expectErrorAt(m, 0, IssueCodes.FeatureType, 'sum: expects a list or a string, got int');
        expectErrorAt(m, 1, IssueCodes.FeatureUnknownFunction, 'unknown function "lenn"; did you mean "len"?');
        expectErrorAt(m, 2, IssueCodes.FeatureArity, 'len takes 1 argument, got 0: len(xs) → int');
        expectErrorAt(m, 3, IssueCodes.FeatureType, 'any: the function must return a boolean, not int');
    });

    it('split predicates are booleans over their index variables', async () => {
        const m = await validateMarked(TOY_HEADER.replace('node A = "A"',
            'node A = "A"\n    node P = "logits" split (i, j) axes (0, 1) { p: <|j + 1|>, q: <|k|> == 0 }'));
        expectErrorAt(m, 0, IssueCodes.FeatureType, "a part's predicate must be a boolean, not int");
        expectErrorAt(m, 1, IssueCodes.FeatureUnknownName, '"k" is not an index variable of this split (i, j)');
    });
});

describe('features evaluated on the dataset (slow checks)', () => {
    it('a feature unique for most examples is a warning with the share', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
        const rows = Array.from({ length: 10 }, (_, i) => JSON.stringify({ z: [i % 7, (i * 3) % 7, i], y: i % 2 }));
        writeFileSync(join(dir, 'd.jsonl'), rows.join('\n'));
        const m = await validateMarked(`model "${join(TOY_DIR, 'toy_or.onnx')}"
dataset "d.jsonl" { input x = z  label y }
graph { split input axis 1 { z1: 0, z2: 1, z3: 2 } node A = "A" node B = "B" node C = "C" node D = "D" }
metric cross_entropy
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node c -> C = <|input.z3|> <- input.z3
    node d -> D = a or b <- a, b, c
    output <- d
}`, dir);
        expectWarningAt(m, 0, IssueCodes.FeatureMostlyUnique,
            'the feature of c is unique for 100% of the examples (10 of 10): resampling can only return the example itself, so this claim is not tested');
        expect(summary(m.result.diagnostics)).toHaveLength(1);
    });

    it('a feature that fails on a row is an error naming the row', async () => {
        const m = await validateMarked(hyp(`node a -> A = <|z[3]|> <- input.z1
output`));
        expectErrorAt(m, 0, IssueCodes.FeatureRuntime, 'this feature fails on dataset row 1 (toy_or.jsonl:1): index 3 is out of range for a list of length 3');
    });
});
