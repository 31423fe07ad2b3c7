// `hyp graph MODEL.onnx`: what a hypothesis can name — inputs, outputs and every tensor with its
// dtype, shape, producing op and the module path torch encodes in its name. Shapes the file does
// not declare come from running the model once on zero inputs (engine/graph/probe.ts), which also
// says which tensors carry the batch axis: the others cannot be hook points.
import { modelGraphFromProto } from '../engine/graph/model-graph.js';
import { refineModelGraph, probedTensorNames, type ProbeFeed } from '../engine/graph/probe.js';
import type { ModelGraph, TensorInfo } from '../engine/graph/types.js';
import { allocTyped } from '../engine/execute/typed-arrays.js';
import { readModelFile } from '../engine/onnx/read.js';
import { probeModel } from '../engine/runtime/probe-model.js';

export interface GraphOptions {
    json: boolean;
    /** Only tensors whose name, op or module path contains this (case-insensitive). */
    grep?: string;
}

export async function graphCommand(file: string, options: GraphOptions): Promise<number> {
    const model = readModelFile(file);
    const declared = modelGraphFromProto(model, file);
    const { graph, note } = await probed(model, declared);
    const needle = options.grep?.toLowerCase();
    const tensors = [...graph.tensors.values()].filter(t => t.kind !== 'initializer')
        .filter(t => needle === undefined || [t.name, t.producer?.op ?? t.kind, modulePath(t.name) ?? ''].some(s => s.toLowerCase().includes(needle)));
    if (options.json) {
        console.log(JSON.stringify({ inputs: graph.inputs, outputs: graph.outputs, tensors: tensors.map(t => ({ ...t, module: modulePath(t.name) ?? null })) }, null, 2));
        return 0;
    }
    const shape = (t: TensorInfo) => (t.shape ? `[${t.shape.join(', ')}]` : '?') + (t.perExample === false ? ' no batch' : '');
    const rows = tensors.map(t => [t.name, t.dtype ?? '?', shape(t), t.producer?.op ?? t.kind, modulePath(t.name) ?? '']);
    const widths = [0, 1, 2, 3].map(k => Math.max(...rows.map(r => r[k].length), 6));
    console.log(`inputs:  ${graph.inputs.join(', ')}`);
    console.log(`outputs: ${graph.outputs.join(', ')}`);
    if (note !== undefined) console.log(note);
    console.log('');
    console.log(['tensor', 'dtype', 'shape', 'op', 'module'].map((h, k) => (k < 4 ? h.padEnd(widths[k]) : h)).join('  ').trimEnd());
    for (const r of rows) console.log(r.map((c, k) => (k < 4 ? c.padEnd(widths[k]) : c)).join('  ').trimEnd());
    if (needle !== undefined && rows.length === 0) console.log(`(no tensor matches "${options.grep}")`);
    return 0;
}

/**
 * The module path torch writes into a node's output name (`/blocks.0/attn/MatMul_1_output_0` is
 * module `blocks.0.attn`); undefined for names without one.
 */
export function modulePath(name: string): string | undefined {
    if (!name.startsWith('/')) return undefined;
    const parts = name.split('/').slice(1, -1);
    return parts.length > 0 ? parts.join('.') : undefined;
}

/** The graph with the shapes of one run on zero inputs, when every input's dims past the batch axis are known. */
async function probed(model: Parameters<typeof probeModel>[0], graph: ModelGraph): Promise<{ graph: ModelGraph; note?: string }> {
    const feeds: ProbeFeed[] = [];
    for (const name of graph.inputs) {
        const t = graph.tensors.get(name)!;
        const dims = t.shape?.slice(1);
        if (t.dtype === null || dims === undefined || dims.some(d => typeof d !== 'number')) {
            return { graph, note: `(shapes as the file declares them: input "${name}" has no fixed shape past its batch axis to run the model on)` };
        }
        const size = (dims as number[]).reduce((a, b) => a * b, 1);
        feeds.push({ name, dtype: t.dtype, dims: dims as number[], data: allocTyped(t.dtype, 2 * size) });
    }
    try {
        return { graph: refineModelGraph(graph, await probeModel(model, probedTensorNames(graph), feeds)) };
    } catch (e) {
        return { graph, note: `(shapes as the file declares them: the model did not run on zero inputs: ${(e as Error).message.split('\n')[0]})` };
    }
}
