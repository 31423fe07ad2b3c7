// The pieces every rewrite into a sum of parts is made of (graph/rewrite.ts): the nodes and
// constants it adds to the model, its parts, and the step that names the parts and adds their sum.
import type { GraphProblem, TensorInfo } from './types.js';
import type { HookSpec } from '../spec.js';

/** A node the rewrite adds; a copy of a model node (`copyOf`, one of its outputs) keeps that node's attributes. */
export interface AddedNode {
    op: string;
    name: string;
    /** By position ('' for an omitted optional input). */
    inputs: string[];
    outputs: string[];
    copyOf?: string;
    /** Where it goes in the model's node list: after the node producing this tensor (topological order). */
    after: string;
}

/** A constant the rewrite adds: part masks (bool), zeros and projection matrices (float32). */
export interface AddedConstant {
    name: string;
    dtype: 'float32' | 'bool';
    dims: number[];
    values: Float32Array | Uint8Array;
}

export interface RewritePart {
    /** The part's name: the G node is `<hook>.<name>`. */
    name: string;
    tensor: string;
    /** What the part is, for hovers and the graph view. */
    describe: string;
}

export interface RewrittenHook {
    /** The hook's own tensor (still computed; nothing reads it any more but the check). */
    tensor: string;
    parts: RewritePart[];
    /** The tensor holding the sum of the parts, which the hook's consumers read instead. */
    sum: string;
    /** For a rewrite through a map: the source's tensor (the map's input, for the linearity check on rows). */
    source?: string;
}

export interface RewritePatch {
    nodes: AddedNode[];
    constants: AddedConstant[];
    /** Per rewritten hook (by hook name). */
    hooks: ReadonlyMap<string, RewrittenHook>;
}

/** Reports a problem of the hook being rewritten. */
export type Fail = (code: GraphProblem['code'], message: string, severity?: GraphProblem['severity']) => void;

/** What one hook's rewrite adds to the model. */
export interface Made { nodes: AddedNode[]; constants: AddedConstant[]; hook: RewrittenHook }

/** One example's dims of a per-example tensor, when every one is known. */
export function exampleDims(info: TensorInfo): number[] | undefined {
    const rest = info.shape?.slice(1);
    return rest !== undefined && rest.every(d => typeof d === 'number') ? rest as number[] : undefined;
}

function partTensor(hook: string, part: string): string {
    return `${hook}.${part}::rewrite`;
}

/** Gives every part a tensor named after it (Identity), and adds the sum the hook's consumers read. */
export function finish(hook: HookSpec, parts: RewritePart[], nodes: AddedNode[], constants: AddedConstant[]): Made {
    const named = parts.map(p => {
        const tensor = partTensor(hook.name, p.name);
        nodes.push({ op: 'Identity', name: tensor, inputs: [p.tensor], outputs: [tensor], after: hook.tensor });
        return { ...p, tensor };
    });
    const sum = `${hook.name}::rewrite::sum`;
    nodes.push({ op: 'Sum', name: sum, inputs: named.map(p => p.tensor), outputs: [sum], after: hook.tensor });
    return { nodes, constants, hook: { tensor: hook.tensor, parts: named, sum } };
}
