// The rewrite syntax of the graph block (`split through Z`, `split subspace { … }`), checked and
// lowered by `hyp check`'s path on the hand-built models of test/fixtures/rewrite-models.ts, and
// scrubbed from the lowered spec: the language and the engine agree on what the parts are.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHypFile } from '../../language/check-file.js';
import { prepareScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { removeRewriteCases, writeRewriteCase } from '../fixtures/rewrite-models.js';
import { expectCompletion, expectFormatting, expectHover } from 'langium/test';
import { graphView } from '../../server/scrub/graph-view.js';
import { parse, services, toyUri } from './helpers.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';

afterAll(removeRewriteCases);

const HEADER = `model "model.onnx"
dataset "data.jsonl" { input x = x  label y }
metric cross_entropy
samples 400
`;

async function check(dir: string, text: string, name = 'test.hyp') {
    const file = join(dir, name);
    writeFileSync(file, text);
    return { file, ...(await checkHypFile(file, { prober: probeModelFile })) };
}
const errors = (r: { diagnostics: { severity: string; line: number; code: string; message: string }[] }) =>
    r.diagnostics.filter(d => d.severity === 'error').map(d => ({ line: d.line, code: d.code, message: d.message }));

describe('split subspace', () => {
    it('inline vectors and a JSON file beside the .hyp both lower to the vectors, and scrub', async () => {
        const dir = writeRewriteCase('direction');
        writeFileSync(join(dir, 'dirs.json'), JSON.stringify({ sentiment: [[0.5, 0.5]] }));
        const text = (part: string) => `${HEADER}graph {
    node H = "H" split subspace { ${part} }
}
hypothesis v {
    node hv -> H.v = y <- input
    output <- hv
}
hypothesis rest {
    node hr -> H.rest = y <- input
    output <- hr
}
`;
        const inline = await check(dir, text('v: [0.7071067811865476, 0.7071067811865476]'));
        expect(errors(inline)).toEqual([]);
        expect(inline.spec!.graph.hooks[0]).toMatchObject({ name: 'H', rewrite: { kind: 'subspace', parts: [{ name: 'v', vectors: [[0.7071067811865476, 0.7071067811865476]] }] }, source: { line: 6 } });
        const fromFile = await check(dir, text('v: "dirs.json" at "sentiment"'), 'file.hyp');
        expect(errors(fromFile)).toEqual([]);
        expect(fromFile.spec!.graph.hooks[0].rewrite).toEqual({ kind: 'subspace', parts: [{ name: 'v', vectors: [[0.5, 0.5]] }] });

        const p = await prepareScrub(fromFile.spec!, { ep: 'cpu', threads: 1 });
        try {
            const [v, rest] = fromFile.spec!.hypotheses;
            expect((await scrubHypothesis(p, v, {})).lossRecovered).toBeCloseTo(1, 5);
            expect(Math.abs((await scrubHypothesis(p, rest, {})).lossRecovered)).toBeLessThan(0.2);
        } finally {
            await p.dispose();
        }
    }, 60_000);

    it('a vector file is one of the files the document depends on (a change on disk revalidates it)', async () => {
        const dir = writeRewriteCase('direction');
        const document = await parse(`${HEADER}graph {\n    node H = "H" split subspace { v: "dirs.json", w: [0, 1] }\n}\n`, { documentUri: toyUri(dir) });
        expect(services.workspace.HypWorkspaceData.declaredPaths(document)).toEqual([join(dir, 'model.onnx'), join(dir, 'data.jsonl'), join(dir, 'dirs.json')]);
    });

    it('a missing key, a wrong length, a pair not orthogonal and a part called rest are located errors', async () => {
        const dir = writeRewriteCase('direction');
        writeFileSync(join(dir, 'dirs.json'), JSON.stringify({ sentiment: [0.5, 0.5] }));
        const r = await check(dir, `${HEADER}graph {
    node H = "H" split subspace { v: "dirs.json" at "topic" }
}
`);
        expect(errors(r)).toEqual([{ line: 6, code: 'rewrite-invalid', message: expect.stringMatching(/no "topic"; it has "sentiment"/) }]);
        const wrong = await check(dir, `${HEADER}graph {\n    node H = "H" split subspace { v: [1, 0, 0] }\n}\n`);
        expect(errors(wrong)).toEqual([{ line: 6, code: 'rewrite-invalid', message: expect.stringMatching(/3 entries, but the last axis of "H" has 2/) }]);
        const skew = await check(dir, `${HEADER}graph {\n    node H = "H" split subspace { a: [1, 0], b: [1, 1] }\n}\n`);
        expect(errors(skew)).toEqual([{ line: 6, code: 'rewrite-not-orthogonal', message: expect.stringMatching(/"a" and "b" are not orthogonal/) }]);
        const rest = await check(dir, `${HEADER}graph {\n    node H = "H" split subspace { rest: [1, 0] }\n}\n`);
        expect(errors(rest).map(e => e.code)).toContain('rewrite-invalid');
    }, 60_000);
});

describe('split through', () => {
    const graph = `graph {
    node Z = "Z" split axis 1 { h0: 0, h1: 1, h2: 2 }
    node O = "O" split through Z
}
`;
    it('makes one part per part of the source and the bias; head 1 after W_O scrubs to 100%', async () => {
        const dir = writeRewriteCase('heads');
        const r = await check(dir, `${HEADER}${graph}hypothesis head1 {
    node z -> Z.h1 <- input
    node o -> O.h1 = y <- z
    output <- o
}
hypothesis wrong_edge {
    node z -> Z.h0 <- input
    node o -> O.h1 = y <- z
    output <- o
}
`);
        // O.h1 reads Z.h1 alone: an I-edge from Z.h0 is not a G-edge.
        expect(errors(r)).toEqual([expect.objectContaining({ line: 16, code: 'edge-not-in-graph' })]);
        const ok = await check(dir, `${HEADER}${graph}hypothesis head1 {
    node z -> Z.h1 <- input
    node o -> O.h1 = y <- z
    output <- o
}
hypothesis constant {
    node b -> O.bias
    output <- b
}
`, 'ok.hyp');
        expect(errors(ok)).toEqual([]);
        expect(ok.spec!.graph.hooks[1]).toMatchObject({ rewrite: { kind: 'through', source: 'Z' } });
        const p = await prepareScrub(ok.spec!, { ep: 'cpu', threads: 1 });
        try {
            expect((await scrubHypothesis(p, ok.spec!.hypotheses[0], {})).lossRecovered).toBeCloseTo(1, 5);
        } finally {
            await p.dispose();
        }
    }, 60_000);

    it('a Tanh in the chain is rewrite-not-linear on the hook, naming the op; an unknown source and an input rewrite are located', async () => {
        const r = await check(writeRewriteCase('heads-gelu'), `${HEADER}${graph}`);
        expect(errors(r)).toEqual([{ line: 7, code: 'rewrite-not-linear', message: expect.stringMatching(/"O" is not a linear function of "Z": the Tanh node/) }]);
        const dir = writeRewriteCase('heads');
        const unknown = await check(dir, `${HEADER}graph {\n    node O = "O" split through Q\n}\n`);
        expect(errors(unknown)).toEqual([{ line: 6, code: 'rewrite-invalid', message: expect.stringMatching(/no hook point "Q"/) }]);
        const input = await check(dir, `${HEADER}graph {\n    split input through Z\n    node Z = "Z" split axis 1 { h0: 0 }\n}\n`);
        expect(errors(input)).toContainEqual({ line: 6, code: 'rewrite-invalid', message: expect.stringMatching(/model input is not computed/) });
    }, 60_000);
});

describe('the editor sees the parts of a rewrite', () => {
    const text = (dir: string) => `${HEADER}graph {
    node Z = "Z" split axis 1 { h0: 0, h1: 1, h2: 2 }
    node O = "O" split through Z
}
hypothesis h {
    node z -> Z.h1 <- input
    node o -> O.<|>h1 = y <- z
    output <- o
}
`.replace('model "model.onnx"', `model "${join(dir, 'model.onnx')}"`).replace('dataset "data.jsonl"', `dataset "${join(dir, 'data.jsonl')}"`);

    it('the hover of a part says what it is and lists its part-level G-parent', async () => {
        const dir = writeRewriteCase('heads');
        await expectHover(services)({ text: text(dir), index: 0, parseOptions: { documentUri: toyUri(dir) }, disposeAfterCheck: true,
            hover: /^\*\*G node `O.h1`\*\* \(hook point, a part of a sum: the contribution of Z.h1 to O \(the other parts of Z zeroed, constants left out\) through Transpose → Reshape → MatMul → Add\)[\s\S]*G-parents: `Z.h1`$/ });
    });

    it('the graph view lists every part, the bias included, with its shape', async () => {
        const dir = writeRewriteCase('heads');
        const document = await parse(text(dir).replace('<|>', ''), { documentUri: toyUri(dir) });
        const view = graphView(services, document);
        expect(view.nodes.map(n => n.name)).toEqual(['input', 'Z.h0', 'Z.h1', 'Z.h2', 'O.h0', 'O.h1', 'O.h2', 'O.bias', 'output']);
        expect(view.nodes.find(n => n.name === 'O.bias')).toMatchObject({ shape: '[batch, 2]', parents: [], op: expect.stringMatching(/^part of a sum: the constant part of O/) });
    });

    it('completion after `split through` lists the hooks split into parts', async () => {
        const dir = writeRewriteCase('heads');
        await expectCompletion(services)({ text: text(dir).replace('split through Z', 'split through <|>').replace('O.<|>h1', 'O.h1'), index: 0,
            parseOptions: { documentUri: toyUri(dir) }, disposeAfterCheck: true,
            assert: c => expect(c.items.map(i => [i.label, i.detail])).toEqual([['Z', '"Z" split into h0, h1, h2']]) });
    });

    it('completion after -> lists the parts, the bias included', async () => {
        const dir = writeRewriteCase('heads');
        await expectCompletion(services)({ text: text(dir).replace('node o -> O.<|>h1 = y <- z', 'node o -> <|>'), index: 0,
            parseOptions: { documentUri: toyUri(dir) }, disposeAfterCheck: true,
            assert: c => expect(c.items.map(i => i.label).sort()).toEqual(['O.bias', 'O.h0', 'O.h1', 'O.h2', 'Z.h0', 'Z.h1', 'Z.h2']) });
    });

    it('renaming a part of the source renames the rewrite\'s part too; renaming the source renames `through`', async () => {
        const dir = writeRewriteCase('heads');
        const source = text(dir).replace('<|>', '');
        const rename = async (at: string, newName: string) => {
            const document = await parse(source, { documentUri: toyUri(dir) });
            const offset = source.indexOf(at);
            const edit = await services.lsp.RenameProvider!.rename(document, { textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(offset), newName });
            return TextDocument.applyEdits(TextDocument.create('x', 'hyp', 0, source), (edit?.changes?.[document.uri.toString()] ?? []) as TextEdit[]);
        };
        // From O's part (a target) or Z's declaration, the same rename.
        for (const at of ['h1 = y', 'h1: 1']) {
            const renamed = await rename(at, 'second');
            expect(renamed).toContain('h0: 0, second: 1, h2: 2');
            expect(renamed).toContain('node z -> Z.second <- input');
            expect(renamed).toContain('node o -> O.second = y <- z');
        }
        const renamedSource = await rename('Z = "Z"', 'Att');
        expect(renamedSource).toContain('split through Att');
        expect(renamedSource).toContain('node z -> Att.h1');
    });
});

describe('formatting the rewrite syntax', () => {
    it('spaces subspace parts, their vectors and file keys like index parts', async () => {
        await expectFormatting(services)({
            before: `graph {
node Z = "Z" split axis 1 {h0:0}
node O="O"   split   through   Z
node M = "M" split subspace {v:[ 1,0 ],w : [[0,1] ,[ 0, 0.5]], u:"d.json"   at   "k"}
}`,
            after: `graph {
    node Z = "Z" split axis 1 { h0: 0 }
    node O = "O" split through Z
    node M = "M" split subspace { v: [1, 0], w: [[0, 1], [0, 0.5]], u: "d.json" at "k" }
}`,
        });
    });
});
