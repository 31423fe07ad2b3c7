import { describe, expect, it } from 'vitest';
import * as ast from '../../language/generated/ast.js';
import { parse, toyUri } from './helpers.js';

async function parseOk(text: string): Promise<ast.HypFile> {
    const doc = await parse(text, { documentUri: toyUri() });
    expect(doc.parseResult.lexerErrors.map(e => e.message)).toEqual([]);
    expect(doc.parseResult.parserErrors.map(e => e.message)).toEqual([]);
    return doc.parseResult.value;
}

describe('grammar', () => {
    it('parses declarations: model, features, dataset with vocabulary, metric at a position, options', async () => {
        const file = await parseOk(`
            model "m.onnx"  features 'f.mjs'
            dataset "d.jsonl" {
                input tokens = "[" + text   /* a string input, tokenised per character */
                input "attention_mask" = mask
                label next
                vocabulary { "[": 0, "(": 1, ")": 2, "_": 3 } bos "[" pad "_"
            }
            metric logit_diff(1, 0) at position -1
            samples 512  seed 3  unimportant separate  ablation mean`);
        const [model, features, dataset, metric] = file.elements as [ast.ModelDecl, ast.FeaturesDecl, ast.DatasetDecl, ast.MetricDecl];
        expect(model.path).toBe('m.onnx');
        expect(features.path).toBe('f.mjs');
        const [tokens, mask, label, vocab] = dataset.members as [ast.InputBinding, ast.InputBinding, ast.LabelDecl, ast.VocabularyDecl];
        expect(tokens.name).toBe('tokens');
        expect(ast.isBinaryExpr(tokens.value)).toBe(true);
        expect(mask.name).toBe('attention_mask');
        expect(label.field).toBe('next');
        expect(vocab.entries.map(e => [e.token, e.id])).toEqual([['[', 0], ['(', 1], [')', 2], ['_', 3]]);
        expect([vocab.bos, vocab.pad]).toEqual(['[', '_']);
        expect([metric.kind, metric.args, metric.index]).toEqual(['logit_diff', [1, 0], -1]);
        expect(file.elements.filter(ast.isRunOption).map(o => o.$type)).toEqual(['SamplesOption', 'SeedOption', 'UnimportantOption', 'AblationOption']);
    });

    it('parses index-set splits (single, list, end-exclusive range, negative) and predicate splits', async () => {
        const file = await parseOk(`graph {
            split input axis 1 { first: 0, mid: [1, 2..4], last: -1, tail: -3..-1 }
            node R = "blocks.1.attn.hook_result" split axis 2 { h0: 0, h1: 1 }
            node P = "pattern" split (dst, src) axes (2, 3) { prev: src == dst - 1, self: src == dst }
        }`);
        const [input, r, p] = (file.elements[0] as ast.GraphDecl).members as [ast.InputSplit, ast.HookPoint, ast.HookPoint];
        const parts = (input.split as ast.IndexSplit).parts;
        expect(parts.map(x => [x.name, x.items.map(i => [i.start, i.end])])).toEqual([
            ['first', [[0, undefined]]], ['mid', [[1, undefined], [2, 4]]], ['last', [[-1, undefined]]], ['tail', [[-3, -1]]]]);
        expect(r.tensor).toBe('blocks.1.attn.hook_result');
        expect((r.split as ast.IndexSplit).axis).toBe(2);
        const pred = p.split as ast.PredicateSplit;
        expect(pred.vars.map(v => v.name)).toEqual(['dst', 'src']);
        expect(pred.axes).toEqual([2, 3]);
        expect(pred.parts.map(x => x.name)).toEqual(['prev', 'self']);
    });

    it('parses hypotheses: extends, nodes with and without features, input-part and node parents, bare output', async () => {
        const file = await parseOk(`
            hypothesis base { node a -> A = z[0] > 3 <- input.z1  node d -> R.h0 <- a, input  output <- d }
            hypothesis refined extends base { samples 10 node a -> A = z[0] > 4 <- input.z1 }
            hypothesis nothing { output }`);
        const [base, refined, nothing] = file.elements as ast.Hypothesis[];
        const [a, d, out] = base.members as [ast.InterpNode, ast.InterpNode, ast.OutputStatement];
        expect([a.name, a.target]).toEqual(['a', 'A']);
        expect(a.parents.map(p => ast.isInputParentRef(p) && p.part)).toEqual(['z1']);
        expect([d.target, d.feature]).toEqual(['R.h0', undefined]);
        expect(d.parents.map(p => p.$type)).toEqual(['NodeParentRef', 'InputParentRef']);
        expect((out.parents[0] as ast.NodeParentRef).node.ref).toBe(d);
        expect(refined.base?.ref).toBe(base);
        expect(nothing.members.filter(ast.isOutputStatement)[0].parents).toEqual([]);
    });

    it('parses expressions with Python precedence, conditionals, slices, lambdas and input parts', async () => {
        const file = await parseOk(`hypothesis h {
            node a -> A = not x > 1 and y or z
            node b -> B = 1 if c else 2 + 3 * -4 % 5
            node c -> C = xs[1:-1] + xs[:2] + xs[3:] + [xs[-1]]
            node d -> D = all(map(cumsum(map(s, ch => 1 if ch == "(" else -1)), (h, i) => h >= 0 and i >= 0)) <- input.z1
            node e -> E = input.z1[0] + len(label)   // field names that are keywords elsewhere
        }`);
        const nodes = (file.elements[0] as ast.Hypothesis).members as ast.InterpNode[];
        const or = nodes[0].feature as ast.BinaryExpr;
        expect(or.op).toBe('or');
        const and = or.left as ast.BinaryExpr;
        expect(and.op).toBe('and');
        expect((and.left as ast.UnaryExpr).op).toBe('not');
        expect(((and.left as ast.UnaryExpr).arg as ast.BinaryExpr).op).toBe('>');
        const cond = nodes[1].feature as ast.ConditionalExpr;
        expect((cond.whenFalse as ast.BinaryExpr).op).toBe('+');
        const sum = (cond.whenFalse as ast.BinaryExpr).right as ast.BinaryExpr;
        expect(sum.op).toBe('%');
        expect(((sum.left as ast.BinaryExpr).right as ast.UnaryExpr).op).toBe('-');
        const slices = nodes[2].feature as ast.BinaryExpr;
        expect(ast.isListExpr(slices.right)).toBe(true);
        const lambdaCall = ((nodes[3].feature as ast.CallExpr).args[0] as ast.CallExpr).args[1] as ast.Lambda;
        expect(lambdaCall.params.map(p => p.name)).toEqual(['h', 'i']);
        const e = nodes[4].feature as ast.BinaryExpr;
        expect(((e.left as ast.Subscript).target as ast.InputRef).part).toBe('z1');
        expect(((e.right as ast.CallExpr).args[0] as ast.NameRef).name).toBe('label');
    });

    it('reports a syntax error at its place', async () => {
        const doc = await parse('hypothesis h { node a -> = 1 }', { documentUri: toyUri() });
        expect(doc.parseResult.parserErrors.length).toBeGreaterThan(0);
        expect(doc.parseResult.parserErrors[0].token.image).toBe('=');
    });
});
