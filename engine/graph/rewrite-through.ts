// A rewrite through a linear map (`O split through Z`, graph/rewrite.ts): the op chain from the
// split source Z to O, checked to be linear in Z, copied once per part of Z (fed Z with the other
// parts zeroed, the added constants left out) and once for the bias (fed Z zeroed).
import type { GraphSpec, HookSpec } from '../spec.js';
import { coverageMask } from './coverage-mask.js';
import { exampleDims, finish, type AddedConstant, type AddedNode, type Fail, type Made, type RewritePart } from './rewrite-parts.js';
import { checkSplit } from './split.js';
import type { ModelGraph, TensorInfo } from './types.js';

/** Ops a linear rewrite may pass through, and which of their inputs may depend on the source. */
const STRUCTURAL = new Set(['Identity', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Expand', 'Neg', 'Gather',
    'Slice', 'Split', 'ReduceSum', 'Tile', 'Dropout']);
/** Ops whose output holds no value of their input (only its shape). */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

/** The parts of `hook` through the linear map from its split source `sourceName`, or undefined after reporting why not. */
export function throughRewrite(graph: ModelGraph, spec: GraphSpec, hook: HookSpec, sourceName: string, hookTensors: ReadonlySet<string>, fail: Fail): Made | undefined {
    const source = spec.hooks.find(h => h.name === sourceName);
    if (source === undefined) return void fail('rewrite-invalid', `no hook point "${sourceName}" to rewrite "${hook.name}" through: name a hook declared in the graph block`);
    if (source.split === undefined) {
        return void fail('rewrite-invalid', `"${sourceName}" is not split: a rewrite through a map makes one part per part of its source (write \`split axis …\` on "${sourceName}")`);
    }
    const z = graph.tensors.get(source.tensor);
    // An unknown source tensor, or a split with errors, is the source's own error.
    if (z === undefined) return undefined;
    const checked = checkSplit(source.name, z, source.split);
    if (checked.problems.length > 0) return undefined;
    const dims = exampleDims(z);
    if (dims === undefined) {
        return void fail('rewrite-invalid', `the shape of "${source.tensor}" is not known yet (the model file does not declare it; hyp check and the editor's probe run find it)`, 'warning');
    }
    if (z.dtype !== null && z.dtype !== 'float32') return void fail('rewrite-invalid', `"${source.tensor}" holds ${z.dtype}: a rewrite through a map needs float32`);
    const partNames = [...checked.parts.map(p => p.name), ...(checked.rest !== null ? ['rest'] : [])];
    if (partNames.includes('bias')) return void fail('rewrite-invalid', `"${sourceName}" has a part named "bias", the name of the constant part of "${hook.name}": rename that part`);

    const chain = linearChain(graph, hook.tensor, source.tensor, hookTensors, fail);
    if (chain === undefined) return undefined;
    const ops = chain.map(n => n.op).join(' → ');

    const nodes: AddedNode[] = [];
    const constants: AddedConstant[] = [];
    const zero = `${hook.name}::rewrite::zero`;
    constants.push({ name: zero, dtype: 'float32', dims: [], values: new Float32Array(1) });
    const zeroed = new Map<string, string>();
    /** A constant operand of an addition, times zero: the linear part of the map leaves it out (keeping its shape). */
    const zeroOf = (t: string): string => {
        let name = zeroed.get(t);
        if (name === undefined) {
            zeroed.set(t, name = `${t}::${hook.name}::zeroed`);
            nodes.push({ op: 'Mul', name, inputs: [t, zero], outputs: [name], after: hook.tensor });
        }
        return name;
    };
    const coverages = [...checked.parts.map(p => p.coverage), ...(checked.rest !== null ? [checked.rest] : [])];
    const parts: RewritePart[] = [];
    const copy = (part: string, mask: AddedConstant, linear: boolean): string => {
        constants.push(mask);
        const masked = `${source.tensor}::${hook.name}.${part}::masked`;
        nodes.push({ op: 'Where', name: masked, inputs: [mask.name, source.tensor, zero], outputs: [masked], after: hook.tensor });
        const renamed = new Map<string, string>([[source.tensor, masked]]);
        const rename = (t: string) => renamed.get(t) ?? t;
        for (const n of chain) {
            const outputs = n.outputs.map(o => (o === '' ? '' : `${o}::${hook.name}.${part}`));
            n.outputs.forEach((o, i) => renamed.set(o, outputs[i]));
            const inputs = n.args.map((a, i) => {
                if (a === '' || n.dependent[i]) return rename(a);
                // The constants an affine op adds (a bias) are left out of the linear part.
                const added = n.op === 'Add' || n.op === 'Sub' || n.op === 'Sum' || (n.op === 'Gemm' && i === 2);
                return linear && added ? zeroOf(a) : a;
            });
            const first = n.outputs.find(o => o !== '')!;
            nodes.push({ op: n.op, name: `${n.name || first}::${hook.name}.${part}`, inputs, outputs, copyOf: first, after: hook.tensor });
        }
        return rename(hook.tensor);
    };
    coverages.forEach((coverage, k) => {
        const name = partNames[k];
        const mask = compressedMask(coverageMask(coverage, [1, ...dims]), dims);
        const out = copy(name, { name: `${hook.name}.${name}::rewrite::mask`, dtype: 'bool', dims: [1, ...mask.dims], values: mask.values }, true);
        parts.push({ name, tensor: out, describe: `the contribution of ${sourceName}.${name} to ${hook.name} (the other parts of ${sourceName} zeroed, constants left out) through ${ops}` });
    });
    const biasOut = copy('bias', { name: `${hook.name}.bias::rewrite::mask`, dtype: 'bool', dims: dims.map(() => 1).concat(1), values: new Uint8Array(1) }, false);
    parts.push({ name: 'bias', tensor: biasOut, describe: `the constant part of ${hook.name}: its value when ${sourceName} is zero (the same on every example)` });
    const made = finish(hook, parts, nodes, constants);
    made.hook.source = source.tensor;
    return made;
}

interface ChainNode {
    op: string;
    name: string;
    args: readonly string[];
    outputs: string[];
    /** Per argument: whether it depends on the source's values. */
    dependent: boolean[];
}

/**
 * The nodes between `source` and `target` that depend on the source's values, parents first; a
 * problem (and undefined) when the target reads anything else per example, or an op is not linear.
 */
function linearChain(graph: ModelGraph, target: string, source: string, hookTensors: ReadonlySet<string>, fail: Fail): ChainNode[] | undefined {
    const producers = new Map<string, string[]>();
    for (const t of graph.tensors.values()) {
        if (t.producer === null) continue;
        const key = producerKey(t);
        const list = producers.get(key);
        if (list === undefined) producers.set(key, [t.name]);
        else list.push(t.name);
    }
    const memo = new Map<string, boolean>();
    const chain: ChainNode[] = [];
    const done = new Set<string>();
    let problem = false;
    const depends = (t: string): boolean => {
        if (t === source) return true;
        const known = memo.get(t);
        if (known !== undefined) return known;
        memo.set(t, false);
        const info = graph.tensors.get(t);
        if (info === undefined || info.kind === 'initializer' || info.producer === null) {
            if (info?.kind === 'input' && !problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" also reads the model input "${t}", not only "${source}": a rewrite through a map needs a tensor computed from its source alone`);
            }
            return false;
        }
        if (t !== target && hookTensors.has(t)) {
            if (!problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" also reads the hook point "${t}", not only "${source}": a rewrite through a map needs a tensor computed from its source alone`);
            }
            return false;
        }
        const p = info.producer;
        if (SHAPE_ONLY.has(p.op)) return false;
        const args = p.args ?? p.inputs;
        const dependent = args.map(a => a !== '' && depends(a));
        // A subgraph (If, Loop) reading the source is not followed.
        const captured = p.inputs.filter(i => !args.includes(i)).some(depends);
        const any = dependent.some(d => d) || captured;
        memo.set(t, any);
        if (!any) return false;
        const key = producerKey(info);
        if (done.has(key)) return true;
        done.add(key);
        const why = captured ? 'reads it inside a subgraph' : nonLinear(p.op, dependent, p.attributes);
        if (why !== undefined) {
            if (!problem) {
                problem = true;
                fail('rewrite-not-linear', `"${target}" is not a linear function of "${source}": the ${p.op} node "${p.node || t}" ${why}; a rewrite through a map passes only MatMul, Gemm and Einsum with a constant operand, Add, Sub and Sum, Mul and Div by a constant, casts between floats, and reshapes, transposes, gathers, slices and concatenations`);
            }
            return true;
        }
        // The node's outputs by position ('' where one is omitted), so that a copy keeps them in place.
        const outs = producers.get(key)!;
        const outputs = Array.from({ length: Math.max(...outs.map(o => outputIndex(graph, o))) + 1 },
            (_, i) => outs.find(o => outputIndex(graph, o) === i) ?? '');
        chain.push({ op: p.op, name: p.node, args, outputs, dependent });
        return true;
    };
    const reached = depends(target);
    if (problem) return undefined;
    if (!reached) return void fail('rewrite-invalid', `"${target}" does not depend on "${source}"`);
    return chain;
}

function producerKey(info: TensorInfo): string {
    const p = info.producer!;
    return `${p.op}\u0000${p.node}\u0000${(p.args ?? p.inputs).join('\u0000')}`;
}

function outputIndex(graph: ModelGraph, t: string): number {
    return graph.tensors.get(t)?.producer?.outputIndex ?? 0;
}

/** ONNX element types a Cast may convert to and stay linear (to rounding): float, double, float16, bfloat16. */
const FLOAT_TYPES = new Set([1, 11, 10, 16]);

/** Why an op is not linear in the arguments marked dependent; undefined when it is. */
function nonLinear(op: string, dependent: readonly boolean[], attributes?: Readonly<Record<string, unknown>>): string | undefined {
    const count = dependent.filter(d => d).length;
    if (op === 'Cast') return FLOAT_TYPES.has(attributes?.to as number) ? undefined : 'converts it to a type that is not a float';
    if (op === 'Add' || op === 'Sub' || op === 'Sum') return undefined;
    if (op === 'Mul' || op === 'MatMul' || op === 'Einsum') return count === 1 ? undefined : 'multiplies two values that depend on it';
    if (op === 'Div') return dependent[0] && count === 1 ? undefined : 'divides by a value that depends on it';
    if (op === 'Gemm') return (dependent[0] !== dependent[1]) ? undefined : 'multiplies two values that depend on it';
    if (op === 'Concat') return dependent.every(d => d) ? undefined : 'joins it with a constant (an affine, not linear, piece)';
    if (STRUCTURAL.has(op)) return dependent.every((d, i) => !d || i === 0) ? undefined : 'uses a value that depends on it as indices, a shape or bounds';
    return 'is not linear';
}

/** A per-example 0/1 mask with every axis along which it does not vary reduced to 1 (so it broadcasts). */
function compressedMask(mask: Uint8Array, dims: readonly number[]): { dims: number[]; values: Uint8Array } {
    const keep = dims.map((n, a) => {
        if (n === 1) return false;
        const stride = dims.slice(a + 1).reduce((x, y) => x * y, 1);
        for (let e = 0; e < mask.length; e++) {
            const i = Math.floor(e / stride) % n;
            if (i !== 0 && mask[e] !== mask[e - i * stride]) return true;
        }
        return false;
    });
    const out = dims.map((n, a) => (keep[a] ? n : 1));
    const size = out.reduce((x, y) => x * y, 1);
    const values = new Uint8Array(size);
    const strides = dims.map((_, a) => dims.slice(a + 1).reduce((x, y) => x * y, 1));
    for (let o = 0; o < size; o++) {
        let rem = o, e = 0;
        for (let a = out.length - 1; a >= 0; a--) {
            const i = rem % out[a];
            rem = Math.floor(rem / out[a]);
            e += i * strides[a];
        }
        values[o] = mask[e];
    }
    return { dims: out, values };
}
