// Random small scrubbing cases for the reference comparison: a model described in a tiny layer
// language (each hook point = activation(W · gathered sources + b)), the same model written as ONNX,
// a dataset with correlated fields, and a random well-formed hypothesis over it. The reference
// scrubber (reference-scrubber.ts) evaluates the layer description in JavaScript; the engine reads
// the ONNX file. Only the writing of the file uses the engine's ONNX builder.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../engine/onnx/builder.js';
import { writeModel } from '../../engine/onnx/read.js';
import type { AblationMode, Expr, HypothesisSpec, InterpNodeSpec, MetricSpec, ScrubSpec, SplitSpec, UnimportantMode } from '../../engine/spec.js';

/** mulberry32: the generator of cases and of the reference's draws (unrelated to the engine's xoshiro128**). */
export function mulberry32(seed: number): () => number {
    let a = seed | 0;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Elements `indices` (along axis 1) of a tensor: the whole tensor when absent. */
export interface Read {
    tensor: string;
    indices?: number[];
}

/**
 * One computed tensor: act(W · concat(reads) + b), `w` being [inputs][outputs]; or, with op `mul`,
 * the element-wise product of its two reads (no W, b or act), whose element i reads element i of each.
 */
export interface Layer {
    name: string;
    reads: Read[];
    w: number[][];
    b: number[];
    act: 'tanh' | 'relu' | 'none';
    op?: 'mul';
}

/** The model: input x [batch, inputSize]; layers in order, the last is the output (logits). */
export interface LayerModel {
    inputSize: number;
    layers: Layer[];
}

export interface Part {
    name: string;
    indices: number[];
}

export interface RandomCase {
    seed: number;
    model: LayerModel;
    /** Hook tensors and their splits (index sets along axis 1, covering the tensor). */
    /**
     * `predicate`: the split is written as the index predicate `i == 0` (part `first`), its other
     * elements forming the implicit part `rest`; `parts` lists both with their indices.
     */
    hooks: { tensor: string; parts?: Part[]; predicate?: boolean }[];
    inputParts: Part[];
    rows: { x: number[]; g: number; y: number }[];
    spec: ScrubSpec;
    hypothesis: HypothesisSpec;
}

export interface CaseChoices {
    seed: number;
    metric: MetricSpec['kind'];
    ablation: AblationMode;
    unimportant: UnimportantMode;
}

const ROWS = 200;
const CLASSES = 3;

/** Evaluates one layer on its gathered inputs (float64). */
export function evalLayer(layer: Layer, input: number[]): number[] {
    if (layer.op === 'mul') {
        const m = input.length / 2;
        return input.slice(0, m).map((v, i) => v * input[m + i]);
    }
    return layer.b.map((bias, j) => {
        let s = bias;
        for (let i = 0; i < input.length; i++) s += input[i] * layer.w[i][j];
        return layer.act === 'tanh' ? Math.tanh(s) : layer.act === 'relu' ? Math.max(0, s) : s;
    });
}

/** The elements a read takes from a tensor's value. */
export function gather(value: readonly number[], read: Read): number[] {
    return read.indices === undefined ? [...value] : read.indices.map(i => value[i]);
}

/** Every tensor of the model on one input (clean run). */
export function runModel(model: LayerModel, x: readonly number[]): Map<string, number[]> {
    const values = new Map<string, number[]>([['x', [...x]]]);
    for (const layer of model.layers) values.set(layer.name, evalLayer(layer, layer.reads.flatMap(r => gather(values.get(r.tensor)!, r))));
    return values;
}

/** Builds a case from its choices; writes the model and dataset into `dir`. */
export function randomCase(choices: CaseChoices, dir: string): RandomCase {
    const rnd = mulberry32(choices.seed * 2654435761);
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

    // Input and its parts: each element alone, or the first two together.
    const predicateRnd = mulberry32(choices.seed * 69069 + 3);
    const inputSize = 2 + int(3);
    const inputParts: Part[] = rnd() < 0.7
        ? Array.from({ length: inputSize }, (_, i) => ({ name: `i${i}`, indices: [i] }))
        : [{ name: 'i01', indices: [0, 1] }, ...Array.from({ length: inputSize - 2 }, (_, i) => ({ name: `i${i + 2}`, indices: [i + 2] }))];

    // Hooks H0..Hk-1, each reading the input (whole or one part) and/or earlier hooks (whole or one part).
    const hookCount = 2 + int(3);
    const layers: Layer[] = [];
    const hooks: RandomCase['hooks'] = [];
    const sizes = new Map<string, number>([['x', inputSize]]);
    const partsOf = new Map<string, Part[]>([['x', inputParts]]);
    const readOf = (tensor: string): Read => {
        const parts = partsOf.get(tensor);
        if (parts && rnd() < 0.5) return { tensor, indices: pick(parts).indices };
        return { tensor };
    };
    const layer = (name: string, reads: Read[], out: number, act: Layer['act']): Layer => {
        const inputs = reads.reduce((a, r) => a + (r.indices?.length ?? sizes.get(r.tensor)!), 0);
        const l: Layer = { name, reads, act, w: Array.from({ length: inputs }, () => Array.from({ length: out }, () => normal() * 1.5)), b: Array.from({ length: out }, () => normal() * 0.5) };
        sizes.set(name, out);
        layers.push(l);
        return l;
    };
    for (let k = 0; k < hookCount; k++) {
        const earlier = hooks.map(h => h.tensor);
        const sources = new Set<string>();
        if (k === 0 || rnd() < 0.5) sources.add('x');
        // Often an earlier hook, so that one tensor has two consumers.
        for (const t of earlier) if (rnd() < 0.55) sources.add(t);
        if (sources.size === 0) sources.add(pick(earlier));
        const out = 1 + int(3);
        layer(`H${k}`, [...sources].map(readOf), out, pick(['tanh', 'relu', 'none'] as const));
        const hook: RandomCase['hooks'][number] = { tensor: `H${k}` };
        if (out >= 2 && rnd() < 0.5) {
            hook.parts = out === 2 ? [{ name: 'p0', indices: [0] }, { name: 'p1', indices: [1] }] : [{ name: 'p0', indices: [0] }, { name: 'p12', indices: [1, 2] }];
            // The same partition, sometimes written as a predicate with its implicit rest (a third
            // generator: the case is otherwise unchanged).
            if (predicateRnd() < 0.4) {
                hook.predicate = true;
                hook.parts = [{ name: 'first', indices: [0] }, { name: 'rest', indices: out === 2 ? [1] : [1, 2] }];
            }
            partsOf.set(hook.tensor, hook.parts);
        }
        hooks.push(hook);
    }
    // Half the cases get a hook M = r1 ⊙ r2, an element-wise product of two reads of one length (its
    // parts depend on parts, not on whole tensors). Drawn from a second generator, so that a case
    // without M is what it was before M existed.
    const rnd2 = mulberry32(choices.seed * 40503 + 7);
    const product = rnd2() < 0.5;
    if (product) {
        const candidates: Read[] = [{ tensor: 'x' }, ...inputParts.map(q => ({ tensor: 'x', indices: q.indices }))];
        for (const h of hooks) candidates.push({ tensor: h.tensor }, ...(h.parts ?? []).map(q => ({ tensor: h.tensor, indices: q.indices })));
        const length = (r: Read) => r.indices?.length ?? sizes.get(r.tensor)!;
        const first = candidates[Math.floor(rnd2() * candidates.length)];
        const same = candidates.filter(r => length(r) === length(first));
        const second = same[Math.floor(rnd2() * same.length)];
        const m = length(first);
        layers.push({ name: 'M', reads: [first, second], w: [], b: [], act: 'none', op: 'mul' });
        sizes.set('M', m);
        const hook: RandomCase['hooks'][number] = { tensor: 'M' };
        if ((m === 2 || m === 3) && rnd2() < 0.7) hook.parts = m === 2 ? [{ name: 'p0', indices: [0] }, { name: 'p1', indices: [1] }] : [{ name: 'p0', indices: [0] }, { name: 'p12', indices: [1, 2] }];
        hooks.push(hook);
    }
    // The output reads the last hook H and, sometimes, others (and M when there is one).
    const plain = hooks.filter(h => h.tensor !== 'M');
    const outSources = plain.filter((_h, k) => k === plain.length - 1 || rnd() < 0.5).map(h => readOf(h.tensor));
    const logits = layer('logits', outSources, CLASSES, 'none');
    if (product) {
        logits.reads.push({ tensor: 'M' });
        for (let i = 0; i < sizes.get('M')!; i++) logits.w.push(Array.from({ length: CLASSES }, () => Math.sqrt(-2 * Math.log(1 - rnd2())) * Math.cos(2 * Math.PI * rnd2()) * 1.5));
    }
    for (const row of logits.w) for (let j = 0; j < row.length; j++) row[j] *= 2;
    const model: LayerModel = { inputSize, layers };

    // Correlated fields: a latent group z ∈ {0, 1, 2}; each x_i is z with probability 0.7, else uniform;
    // g is z. The label is the clean model's own class, so the clean model is right on every row. A
    // readout whose class hardly varies (no better than a random input) is drawn again.
    const inputs = Array.from({ length: ROWS }, () => {
        const z = int(3);
        return { z, x: Array.from({ length: inputSize }, () => (rnd() < 0.7 ? z : int(3))) };
    });
    const labelled = () => inputs.map(({ z, x }) => {
        const out = runModel(model, x).get('logits')!;
        return { x, g: z, y: out.indexOf(Math.max(...out)) };
    });
    let rows = labelled();
    for (let tries = 0; Math.max(...[0, 1, 2].map(k => rows.filter(r => r.y === k).length)) > 0.8 * ROWS && tries < 50; tries++) {
        // Hooks that hardly vary (a dead relu) cannot make it vary: then the readout reads x too.
        if (tries === 10) {
            logits.reads.push({ tensor: 'x' });
            for (let i = 0; i < inputSize; i++) logits.w.push([0, 0, 0]);
        }
        logits.w = logits.w.map(row => row.map(() => normal() * 3));
        logits.b = logits.b.map(() => normal() * 0.5);
        rows = labelled();
    }

    writeFileSync(join(dir, 'case.onnx'), writeModel(toOnnx(model)));
    writeFileSync(join(dir, 'case.jsonl'), rows.map(r => JSON.stringify(r)).join('\n') + '\n');

    const metric: MetricSpec = choices.metric === 'logit_diff' ? { kind: 'logit_diff', a: 0, b: 1 } : { kind: choices.metric };
    const spec: ScrubSpec = {
        modelPath: join(dir, 'case.onnx'),
        dataset: { path: join(dir, 'case.jsonl'), inputs: [{ onnxName: 'x', value: { kind: 'ref', name: 'x' } }], label: 'y' },
        graph: {
            hooks: hooks.map(h => ({ name: h.tensor, tensor: h.tensor, ...(h.parts && { split: h.predicate ? firstElement : { axis: 1, parts: h.parts } }) })),
            inputSplit: { axis: 1, parts: inputParts },
        },
        metric,
        hypotheses: [],
    };
    const hypothesis = randomHypothesis(choices, model, hooks, inputParts, rnd, rnd2);
    spec.hypotheses.push(hypothesis);
    return { seed: choices.seed, model, hooks, inputParts, rows, spec, hypothesis };
}

/** The split `first: i == 0` along axis 1; the rest of the tensor is the implicit part `rest`. */
const firstElement: SplitSpec = { parts: [{ name: 'first', axes: [1], vars: ['i'], predicate: { kind: 'binary', op: '==', left: { kind: 'ref', name: 'i' }, right: { kind: 'number', value: 0 } } }] };

/** The G nodes of a tensor: its parts, or the tensor itself. */
function gNodesOf(tensor: string, hooks: RandomCase['hooks'], inputParts: Part[]): { name: string; indices?: number[] }[] {
    if (tensor === 'x') return inputParts.map(p => ({ name: `input.${p.name}`, indices: p.indices }));
    const hook = hooks.find(h => h.tensor === tensor)!;
    return hook.parts ? hook.parts.map(p => ({ name: `${tensor}.${p.name}`, indices: p.indices })) : [{ name: tensor }];
}

/**
 * The G-parents of a layer's elements `outputs` (all when absent): the G nodes (parts) holding an
 * element they read. A linear layer's every element reads every element of its reads; a product's
 * element i reads element i of each read.
 */
export function layerGParents(layer: Layer, hooks: RandomCase['hooks'], inputParts: Part[], outputs?: readonly number[]): string[] {
    const out: string[] = [];
    for (const r of layer.reads) {
        // The source elements read; undefined: the whole source.
        let read: number[] | undefined = r.indices;
        if (layer.op === 'mul' && outputs !== undefined) read = outputs.map(i => (r.indices === undefined ? i : r.indices[i]));
        for (const n of gNodesOf(r.tensor, hooks, inputParts)) {
            const reads = read === undefined || n.indices === undefined || n.indices.some(i => read!.includes(i));
            if (reads && !out.includes(n.name)) out.push(n.name);
        }
    }
    return out;
}

/**
 * A random well-formed hypothesis: claimed G nodes chosen at random; each claimed node's I-parents
 * are a random subset of its G-parents that are claimed (or input parts); features of the fields
 * or of the I-parents' features, sometimes none.
 */
function randomHypothesis(choices: CaseChoices, model: LayerModel, hooks: RandomCase['hooks'], inputParts: Part[], mainRnd: () => number, productRnd: () => number): HypothesisSpec {
    // Choices about the product hook M come from its own generator (see randomCase).
    let rnd = mainRnd;
    const int = (n: number) => Math.floor(rnd() * n);
    const gNodes = hooks.flatMap(h => gNodesOf(h.tensor, hooks, inputParts).map(n => ({ ...n, tensor: h.tensor })));
    const claimed = new Set(gNodes.filter(n => (n.tensor === 'M' ? productRnd : mainRnd)() < 0.65).map(n => n.name));
    const layerOf = (tensor: string) => model.layers.find(l => l.name === tensor)!;
    const iName = (gNode: string) => gNode.replace('.', '_').toLowerCase();
    const nodes: InterpNodeSpec[] = [];
    const featured = new Set<string>();
    const num = (value: number): Expr => ({ kind: 'number', value });
    const xi = (i: number): Expr => ({ kind: 'index', target: { kind: 'ref', name: 'x' }, index: num(i) });
    const inputSize = model.inputSize;
    const fieldFeature = (): Expr => {
        switch (int(5)) {
            case 0: return { kind: 'binary', op: '>', left: xi(int(inputSize)), right: num(int(2)) };
            case 1: return xi(int(inputSize));
            case 2: return { kind: 'ref', name: 'g' };
            case 3: return { kind: 'binary', op: '%', left: { kind: 'binary', op: '+', left: xi(0), right: xi(1) }, right: num(2) };
            default: return { kind: 'binary', op: '==', left: xi(int(inputSize)), right: xi(int(inputSize)) };
        }
    };
    const parentsOf = (gParents: string[]) => gParents.filter(p => (p.startsWith('input.') ? rnd() < 0.5 : claimed.has(p) && rnd() < 0.7));
    for (const n of gNodes) {
        if (!claimed.has(n.name)) continue;
        rnd = n.tensor === 'M' ? productRnd : mainRnd;
        const parents = parentsOf(layerGParents(layerOf(n.tensor), hooks, inputParts, n.indices));
        let feature: Expr | null = null;
        const r = rnd();
        const featuredParents = parents.filter(p => featured.has(iName(p)));
        if (r < 0.2) feature = null;
        else if (r < 0.35) feature = { kind: 'boolean', value: true };
        else if (r < 0.55 && featuredParents.length > 0) {
            const p: Expr = { kind: 'ref', name: iName(featuredParents[int(featuredParents.length)]) };
            feature = { kind: 'list', items: [p, fieldFeature()] };
        } else feature = fieldFeature();
        const name = iName(n.name);
        if (feature !== null) featured.add(name);
        nodes.push({ name, graphNode: n.name, feature, parents: parents.map(p => (p.startsWith('input.') ? p : iName(p))) });
    }
    const readout = layerGParents(model.layers[model.layers.length - 1], hooks, inputParts);
    rnd = mainRnd;
    const outputParents = parentsOf(readout.filter(p => !p.startsWith('M')));
    rnd = productRnd;
    outputParents.push(...parentsOf(readout.filter(p => p.startsWith('M'))));
    nodes.push({ name: 'out', graphNode: 'output', feature: null, parents: outputParents.map(p => (p.startsWith('input.') ? p : iName(p))) });
    return { name: `case${choices.seed}`, nodes, options: { samples: 1000, seed: choices.seed, ablation: choices.ablation, unimportant: choices.unimportant } };
}

/** The layer model as ONNX: Gather per partial read, Concat, MatMul, Add, activation. */
function toOnnx(model: LayerModel): ReturnType<GraphBuilder['build']> {
    const b = new GraphBuilder('random_case');
    const sizes = new Map<string, number>([['x', model.inputSize]]);
    const f = (name: string, n: number) => ({ name, dtype: 'float32', dims: ['batch', n] as (string | number)[] });
    b.input('x', 'float32', ['batch', model.inputSize]);
    for (const l of model.layers) {
        const pieces = l.reads.map((r, k) => {
            if (r.indices === undefined) return r.tensor;
            b.initializer(`${l.name}_idx${k}`, BigInt64Array.from(r.indices.map(BigInt)), [r.indices.length]);
            return b.node('Gather', [r.tensor, `${l.name}_idx${k}`], [f(`${l.name}_read${k}`, r.indices.length)], { axis: 1 });
        });
        const inputs = l.w.length;
        if (l.op === 'mul') {
            b.node('Mul', pieces, [f(l.name, l.reads[0].indices?.length ?? sizes.get(l.reads[0].tensor)!)]);
            sizes.set(l.name, l.reads[0].indices?.length ?? sizes.get(l.reads[0].tensor)!);
            continue;
        }
        const joined = pieces.length === 1 ? pieces[0] : b.node('Concat', pieces, [f(`${l.name}_in`, inputs)], { axis: 1 });
        const out = l.b.length;
        b.initializer(`${l.name}_w`, Float32Array.from(l.w.flat()), [inputs, out]);
        b.initializer(`${l.name}_b`, Float32Array.from(l.b), [out]);
        b.node('MatMul', [joined, `${l.name}_w`], [f(`${l.name}_mm`, out)]);
        if (l.act === 'none') b.node('Add', [`${l.name}_mm`, `${l.name}_b`], [f(l.name, out)]);
        else {
            b.node('Add', [`${l.name}_mm`, `${l.name}_b`], [f(`${l.name}_pre`, out)]);
            b.node(l.act === 'tanh' ? 'Tanh' : 'Relu', [`${l.name}_pre`], [f(l.name, out)]);
        }
        sizes.set(l.name, out);
    }
    b.output('logits');
    return b.build();
}
