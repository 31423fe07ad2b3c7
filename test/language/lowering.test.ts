import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS } from '../../engine/spec.js';
import { checkHypFile } from '../../language/check-file.js';
import { parse, services, TOY_DIR, TOY_HEADER, toyUri } from './helpers.js';

async function lower(text: string) {
    const doc = await parse(text, { documentUri: toyUri() });
    return services.lowering.HypLowering.lower(doc);
}

describe('lowering a document to a ScrubSpec', () => {
    it('resolves paths against the .hyp file and lowers dataset, graph and metric', async () => {
        const spec = await lower(`${TOY_HEADER.replace('metric cross_entropy', 'metric logit_diff(1, 0) at position -1')}
features "f.mjs"`);
        expect(spec.modelPath).toBe(join(TOY_DIR, 'toy_or.onnx'));
        expect(spec.featuresModule).toBe(join(TOY_DIR, 'f.mjs'));
        expect(spec.dataset).toEqual({ path: join(TOY_DIR, 'toy_or.jsonl'), inputs: [{ onnxName: 'x', value: { kind: 'ref', name: 'z' } }], label: 'y' });
        expect(spec.graph).toEqual({
            hooks: [{ name: 'A', tensor: 'A' }, { name: 'B', tensor: 'B' }, { name: 'C', tensor: 'C' }, { name: 'D', tensor: 'D' }],
            inputSplit: { axis: 1, parts: [{ name: 'z1', indices: [0] }, { name: 'z2', indices: [1] }, { name: 'z3', indices: [2] }] },
        });
        expect(spec.metric).toEqual({ kind: 'logit_diff', a: 1, b: 0, position: { kind: 'index', index: -1 } });
        const labelled = await lower(TOY_HEADER.replace('metric cross_entropy', 'metric logit_diff'));
        expect(labelled.metric).toEqual({ kind: 'logit_diff_label' });
    });

    it('expands ranges end-exclusively and lowers predicate splits and vocabularies', async () => {
        const spec = await lower(`model "m.onnx"
dataset "d.jsonl" { input tokens = s  vocabulary { "[": 0, "(": 1, ")": 2 } bos "[" }
graph {
    split input axis 1 { head: 0..2, pick: [3, 5..7], last: -2..0 }
    node P = "p" split (dst, src) axes (2, 3) { prev: src == dst - 1 }
}
metric accuracy at position pos`);
        expect(spec.graph.inputSplit?.parts).toEqual([{ name: 'head', indices: [0, 1] }, { name: 'pick', indices: [3, 5, 6] }, { name: 'last', indices: [-2, -1] }]);
        expect(spec.graph.hooks[0].split).toEqual({
            parts: [{
                name: 'prev', axes: [2, 3], vars: ['dst', 'src'],
                predicate: { kind: 'binary', op: '==', left: { kind: 'ref', name: 'src' }, right: { kind: 'binary', op: '-', left: { kind: 'ref', name: 'dst' }, right: { kind: 'number', value: 1 } } },
            }],
        });
        expect(spec.dataset.vocabulary).toEqual({ tokens: { '[': 0, '(': 1, ')': 2 }, bos: '[' });
        expect(spec.metric).toEqual({ kind: 'accuracy', position: { kind: 'field', field: 'pos' } });
    });

    it('applies extends: overrides by name in place, adds nodes, sorts parents first, inherits the output', async () => {
        const spec = await lower(`${TOY_HEADER}
hypothesis correct {
    node d -> D = a or b <- a, b
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    output <- d
}
hypothesis refined extends correct {
    node b -> B = z[1] > 1 <- input.z2
    node c -> C <- input.z3
}`);
        const refined = spec.hypotheses[1];
        expect(refined.nodes.map(n => [n.name, n.graphNode, n.parents])).toEqual([
            ['a', 'A', ['input.z1']], ['b', 'B', ['input.z2']], ['d', 'D', ['a', 'b']], ['c', 'C', ['input.z3']], ['output', 'output', ['d']]]);
        expect(refined.nodes[1].feature).toEqual({ kind: 'binary', op: '>', left: { kind: 'index', target: { kind: 'ref', name: 'z' }, index: { kind: 'number', value: 1 } }, right: { kind: 'number', value: 1 } });
        expect(refined.nodes[3].feature).toBeNull();
        expect(spec.hypotheses[0].nodes.map(n => n.name)).toEqual(['a', 'b', 'd', 'output']);
    });

    it('merges run options: defaults, then the file, then bases, then the hypothesis', async () => {
        const spec = await lower(`${TOY_HEADER}
samples 100  seed 7
hypothesis base { ablation mean  unimportant separate  seed 8  output }
hypothesis child extends base { samples 5  output }
hypothesis plain { output }`);
        expect(spec.hypotheses.map(h => h.options)).toEqual([
            { samples: 100, seed: 8, ablation: 'mean', unimportant: 'separate' },
            { samples: 5, seed: 8, ablation: 'mean', unimportant: 'separate' },
            { ...DEFAULT_RUN_OPTIONS, samples: 100, seed: 7 },
        ]);
        expect(spec.hypotheses[2].nodes).toEqual([{ name: 'output', graphNode: 'output', feature: null, parents: [] }]);
    });
});

describe('checkHypFile', () => {
    it('checks the bundled toy example: no diagnostics, and a spec with its five hypotheses', async () => {
        const result = await checkHypFile(join(TOY_DIR, 'toy.hyp'));
        expect(result.diagnostics).toEqual([]);
        expect(result.spec?.hypotheses.map(h => h.name)).toEqual(['correct', 'only_a', 'nothing', 'wrong_b', 'identity']);
        expect(result.spec?.hypotheses[0].options).toEqual({ ...DEFAULT_RUN_OPTIONS, samples: 2000, seed: 0 });
        const wrongB = result.spec!.hypotheses[3];
        expect(wrongB.nodes.find(n => n.name === 'b')?.feature).toMatchObject({ right: { kind: 'number', value: 1 } });
        expect(result.spec?.hypotheses[4].nodes.find(n => n.name === 'd')?.parents).toEqual(['a', 'b', 'c']);
        // Where each hypothesis is declared, for the errors its scrub may raise.
        const lines = readFileSync(join(TOY_DIR, 'toy.hyp'), 'utf8').split('\n');
        expect(result.spec?.hypotheses.map(h => h.source)).toEqual(['correct', 'only_a', 'nothing', 'wrong_b', 'identity']
            .map(name => ({ file: join(TOY_DIR, 'toy.hyp'), line: lines.findIndex(l => l.startsWith(`hypothesis ${name} `)) + 1 })));
    });

    it('reports file:line:column diagnostics with codes and gives no spec when there are errors', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
        const file = join(dir, 'bad.hyp');
        writeFileSync(file, `model "${join(TOY_DIR, 'toy_or.onnx')}"
dataset "${join(TOY_DIR, 'toy_or.jsonl')}" { input x = z label y }
graph { node A = "Aa" }
metric cross_entropy
hypothesis h { output }
`);
        const result = await checkHypFile(file);
        expect(result.spec).toBeUndefined();
        expect(result.diagnostics).toEqual([
            { file, line: 3, column: 18, severity: 'error', code: 'tensor-unknown', message: 'no tensor "Aa" in the model; did you mean "A"?' },
            { file, line: 3, column: 14, severity: 'warning', code: 'hook-unused', message: 'no hypothesis maps a node to A: every hypothesis claims it does not matter (remove it if that is not the point)' },
        ].sort((a, b) => a.column - b.column));
    });

    it('reports syntax errors and rereads a file that changed', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
        const file = join(dir, 'syntax.hyp');
        writeFileSync(file, 'hypothesis h { node a -> = 1 }');
        const first = await checkHypFile(file);
        expect(first.diagnostics.some(d => d.severity === 'error' && d.line === 1 && d.code === 'parsing-error')).toBe(true);
        writeFileSync(file, `model "${join(TOY_DIR, 'toy_or.onnx')}"\ndataset "${join(TOY_DIR, 'toy_or.jsonl')}" { input x = z label y }\nmetric kl\n`);
        const second = await checkHypFile(file);
        expect(second.diagnostics).toEqual([]);
        expect(second.spec?.metric).toEqual({ kind: 'kl' });
    });

    it('a file that does not exist is one error, not an exception', async () => {
        const result = await checkHypFile('/nonexistent/x.hyp');
        expect(result.diagnostics).toHaveLength(1);
        expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'file-unreadable', line: 1, column: 1 });
    });
});
