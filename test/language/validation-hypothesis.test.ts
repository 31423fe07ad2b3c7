import { describe, expect, it } from 'vitest';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { errors, expectErrorAt, expectWarningAt, summary, TOY_HEADER, validateMarked } from './helpers.js';

describe('hypothesis checks against the toy model', () => {
    it('accepts the write-up hypothesis without errors', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis correct {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}`);
        // C is declared in the header and claimed by no hypothesis: that warning, and nothing else.
        expect(summary(m.result.diagnostics)).toEqual([expect.stringMatching(/^hook-unused: no hypothesis maps a node to C/)]);
    });

    it('an I node nothing reads is a warning: it claims nothing', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node <|c|> -> C <- input.z3
    node d -> D = a <- a
    output <- d
}`);
        expectWarningAt(m, 0, IssueCodes.InterpNodeUnused, /^c is not read by the output .* C is resampled/);
        expect(errors(m)).toEqual([]);
    });

    it('a node an extending hypothesis stops reading is no warning: that is how an extension claims less', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis base {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}
hypothesis narrow extends base {
    node d -> D = a <- a
}`);
        expect(m.result.diagnostics.filter(d => d.code === IssueCodes.InterpNodeUnused)).toEqual([]);
    });

    it('a G node that does not exist is an error with a did-you-mean', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h { node a -> <|Aa|> = z[0] > 3 <- input.z1  output }`);
        expectErrorAt(m, 0, IssueCodes.GraphNodeUnknown, 'unknown G node "Aa"; did you mean "A"?: declare it in the graph block (`node Aa = "<tensor>"`)');
    });

    it('an I node mapped to the output is an error', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h { node o -> <|output|>  output }`);
        expectErrorAt(m, 0, IssueCodes.GraphNodeOutput, 'the output is mapped by the `output <- …` statement; an I node cannot correspond to it');
    });

    it('two I nodes on one G node: an error on both, each naming the other', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node a -> <|A|> = z[0] > 3 <- input.z1
    node a2 -> <|A|> = z[0] <- input.z1
    output <- a
}`);
        expectErrorAt(m, 0, IssueCodes.CorrespondenceNotInjective, 'a and a2 both correspond to A: the correspondence must be injective');
        expectErrorAt(m, 1, IssueCodes.CorrespondenceNotInjective, 'a2 and a both correspond to A: the correspondence must be injective');
    });

    it('an I-edge that skips hook points is an error naming them', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node d -> D = z[0] > 3 <- <|input.z1|>
    output <- d
}`);
        expectErrorAt(m, 0, IssueCodes.EdgeNotInGraph,
            'input.z1 cannot be an I-parent here: input.z1 -> D is not a G-edge, the hook points A, B, C lie in between (map an I node to them and make it the parent)');
    });

    it('an output that skips D is an error naming D', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    output <- <|a|>
}`);
        expectErrorAt(m, 0, IssueCodes.EdgeNotInGraph, /A -> output is not a G-edge, the hook point D lies in between/);
    });

    it('an I-parent whose G node is not an ancestor at all is an error', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node d -> D = z[0] > 3
    node a -> A = d <- <|d|>
    output <- a
}`);
        expectErrorAt(m, 0, IssueCodes.EdgeNotInGraph, 'd cannot be an I-parent here: A does not depend on D in the model');
    });

    it('an input part that the hook point reads no element of is an error, though the tensors are connected (part-level G)', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[1] > 3 <- <|input.z2|>
    node d -> D = a <- a
    output <- d
}`);
        expectErrorAt(m, 0, IssueCodes.EdgeNotInGraph, 'input.z2 cannot be an I-parent here: no element of A depends on input.z2 in the model (A\'s G-parents: input.z1)');
    });

    it('a missing output statement and a second one are errors', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis <|none|> { node a -> A = z[0] > 3 <- input.z1 }
hypothesis two { node d -> D = 1 output <- d  <|output|> }`);
        expectErrorAt(m, 0, IssueCodes.OutputMissing, 'hypothesis none has no output statement: add `output <- <node>` (or `output` alone: nothing matters)');
        expectErrorAt(m, 1, IssueCodes.OutputDuplicate, 'a hypothesis has one output statement; merge the parents into the first');
    });

    it('a cycle in I is an error on each node of it', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node <|a|> -> A = 1 <- b
    node <|b|> -> B = 1 <- a
    output
}`);
        expectErrorAt(m, 0, IssueCodes.InterpCycle, 'cycle in the interpretation graph: a <- b <- a');
        expectErrorAt(m, 1, IssueCodes.InterpCycle, 'cycle in the interpretation graph: b <- a <- b');
    });

    it('an unknown I-parent is a linking error with a did-you-mean', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h { node a -> A = z[0] > 3 <- input.z1  node d -> D = 1 <- <|aa|>  output <- d }`);
        expectErrorAt(m, 0, 'linking-error', 'unknown I node "aa": an I-parent is a node of this hypothesis (or of the one it extends) or an input part; did you mean "a"?');
    });

    it('an unknown input part is an error listing the parts', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h { node a -> A = 1 <- <|input.z9|>  output }`);
        expectErrorAt(m, 0, IssueCodes.GraphNodeUnknown, 'unknown input part "input.z9" (the input\'s G nodes: input.z1, input.z2, input.z3)');
    });

    it('extends of an unknown hypothesis and extends cycles are errors', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h extends <|correc|> { output }
hypothesis correct { output }
hypothesis p extends <|q|> { output }
hypothesis q extends <|p|> { output }`);
        expectErrorAt(m, 0, 'linking-error', 'unknown hypothesis "correc"; did you mean "correct"?');
        expectErrorAt(m, 1, IssueCodes.ExtendsCycle, 'extends cycle: p extends q extends p');
        expectErrorAt(m, 2, IssueCodes.ExtendsCycle, 'extends cycle: q extends p extends q');
    });

    it('extends inherits nodes, overrides by name, and parents resolve to the override', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis correct {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}
hypothesis refined extends correct {
    node b -> B = z[1] > 1 <- input.z2
    node c -> C = z[2] <- input.z3
}
hypothesis clash extends correct { node b2 -> <|A|> = 1 }`);
        expectErrorAt(m, 0, IssueCodes.CorrespondenceNotInjective, 'b2 and a both correspond to A: the correspondence must be injective');
        expect(errors(m)).toHaveLength(1);
    });

    it('duplicate names are errors on the second declaration', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h { node a -> A = 1  node <|a|> -> B = 2  output }
hypothesis <|h|> { output }`);
        expectErrorAt(m, 0, IssueCodes.DuplicateName, 'I node "a" is declared more than once');
        expectErrorAt(m, 1, IssueCodes.DuplicateName, 'hypothesis "h" is declared more than once');
    });
});
