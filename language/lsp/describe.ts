// Markdown descriptions of the things hovers and completion items show: tensors, G nodes, fields,
// feature agreement counts. Plain functions, so hover and completion say the same thing.
import { describeFieldType, type FieldInfo } from '../../engine/dataset/dataset.js';
import { featureClasses } from '../../engine/features/feature-table.js';
import { describeValue } from '../../engine/features/values.js';
import type { FeatureValue } from '../../engine/spec.js';
import type { GNode, GraphG, TensorInfo } from '../../engine/graph/types.js';

/** `float32 [batch, 3]`, or what the file leaves unsaid. */
export function tensorType(t: TensorInfo): string {
    const shape = t.shape === null ? '[?]' : `[${t.shape.join(', ')}]`;
    return `${t.dtype ?? 'unknown dtype'} ${shape}`;
}

/** One line for completion details: type and producing op. */
export function tensorDetail(t: TensorInfo): string {
    return `${tensorType(t)}${t.producer ? ` · ${t.producer.op}` : ` · ${t.kind}`}`;
}

/** A tensor's name, type, producer and kind, as Markdown lines. */
export function describeTensor(t: TensorInfo): string[] {
    const producer = t.producer ? `produced by \`${t.producer.op}\`${t.producer.node ? ` (node \`${t.producer.node}\`)` : ''}` : `a graph ${t.kind}`;
    const batch = t.perExample === false ? ' · no batch axis (the same for every example: not a hook point)' : '';
    return [`tensor \`"${t.name}"\` · \`${tensorType(t)}\` · ${producer}${batch}`];
}

/** A G node: what it covers, its tensor and its G-parents. */
export function describeGraphNode(node: GNode, g: GraphG, tensors: ReadonlyMap<string, TensorInfo>): string[] {
    const kind = node.kind === 'input' ? 'model input' : node.kind === 'output' ? 'model output' : 'hook point';
    const lines = [`**G node \`${node.name}\`** (${kind}${node.name.includes('.') ? `, ${coverage(node)}` : ''})`];
    for (const { tensor } of node.tensors) {
        const info = tensors.get(tensor);
        if (info) lines.push(...describeTensor(info));
    }
    const parents = g.partParents(node.name);
    lines.push(node.kind === 'input' ? 'G-parents: none (an input)' : `G-parents: ${parents.length > 0 ? parents.map(p => `\`${p}\``).join(', ') : 'none (computed from weights and constants)'}`);
    return lines;
}

function coverage(node: GNode): string {
    // A part of a rewrite into a sum of parts covers its whole own tensor: say what the part is.
    if (node.rewrite !== undefined) return `a part of a sum: ${node.rewrite}`;
    const c = node.tensors[0]?.coverage;
    if (!c || c.kind === 'all') return 'whole tensor';
    if (c.kind === 'rest') return 'the elements no named part covers';
    const part = c.part;
    if ('indices' in part) return `indices ${part.indices.join(', ')}${c.axis !== undefined ? ` along axis ${c.axis}` : ''}`;
    return `elements where a predicate over axes ${part.axes.join(', ')} holds`;
}

/** A dataset field: type and the first row's value. */
export function describeField(f: FieldInfo): string {
    return `**field \`${f.name}\`** : \`${describeFieldType(f.type)}\`  \nexample (row 1): \`${truncate(JSON.stringify(f.example), 80)}\``;
}

export interface AgreementCounts {
    examples: number;
    classes: number;
    largest: number;
    smallest: number;
    /** Examples alone in their class: resampling can only return the example itself. */
    singletons: number;
    /** The most common values with their counts, most common first. */
    top: { value: FeatureValue; count: number }[];
}

/** How the examples split into classes of equal feature value (the classes resampling draws from). */
export function agreementCounts(values: readonly FeatureValue[], topN = 5): AgreementCounts {
    const { members } = featureClasses(values);
    const sizes = members.map(m => m.length);
    const order = members.map((m, i) => ({ i, n: m.length })).sort((a, b) => b.n - a.n || a.i - b.i);
    return {
        examples: values.length,
        classes: members.length,
        largest: sizes.length ? Math.max(...sizes) : 0,
        smallest: sizes.length ? Math.min(...sizes) : 0,
        singletons: sizes.filter(n => n === 1).length,
        top: order.slice(0, topN).map(({ i, n }) => ({ value: values[members[i][0]], count: n })),
    };
}

/** Agreement counts as Markdown. */
export function describeAgreement(c: AgreementCounts): string[] {
    const pct = (n: number) => `${Math.round((100 * n) / Math.max(1, c.examples))}%`;
    return [
        `Feature agreement over ${c.examples} examples: **${c.classes} class${c.classes === 1 ? '' : 'es'}**, largest ${c.largest}, smallest ${c.smallest}`,
        `${c.singletons} example${c.singletons === 1 ? '' : 's'} (${pct(c.singletons)}) in singleton classes: resampling returns the example itself`,
        `Top values: ${c.top.map(t => `\`${truncate(describeValue(t.value), 40)}\` × ${t.count}`).join(', ')}`,
    ];
}

function truncate(s: string, n: number): string {
    return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
