// The `graph { … }` block → GraphSpec: hook points and splits, index sets expanded.
import type { GraphSpec, PartSpec, SplitSpec } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerIfComplete } from './lower-expression.js';

/** The graph spec of a file (all `graph` blocks together; none gives no hooks). */
export function lowerGraph(file: ast.HypFile): GraphSpec {
    const spec: GraphSpec = { hooks: [] };
    for (const graph of file.elements.filter(ast.isGraphDecl)) {
        for (const member of graph.members) {
            if (ast.isHookPoint(member)) {
                // A hook whose string is still being typed has no tensor yet: it is not part of G.
                if (member.name === undefined || member.tensor === undefined) continue;
                spec.hooks.push({ name: member.name, tensor: member.tensor, ...(member.split && { split: lowerSplit(member.split) }) });
            } else if (spec.inputSplit === undefined && member.split !== undefined) {
                spec.inputSplit = { ...lowerSplit(member.split), ...(member.tensor !== undefined && { tensor: member.tensor }) };
            }
        }
    }
    return spec;
}

/** A split's parts with index sets expanded (`0..3` is 0, 1, 2); parts the parser could not finish are left out. */
export function lowerSplit(split: ast.Split): SplitSpec {
    if (ast.isIndexSplit(split)) {
        const parts = split.parts.filter(p => p.name !== undefined);
        return { axis: split.axis, parts: parts.map(p => ({ name: p.name, indices: expandIndexItems(p.items) })) };
    }
    const vars = split.vars.map(v => v.name).filter(v => v !== undefined);
    return {
        parts: split.parts.flatMap((p): PartSpec[] => {
            const predicate = lowerIfComplete(p.predicate);
            return p.name === undefined || predicate === undefined ? [] : [{ name: p.name, axes: [...split.axes], vars, predicate }];
        }),
    };
}

/** Expands single indices and end-exclusive ranges; a range that is empty or mixes signs gives nothing (validation reports it). */
export function expandIndexItems(items: readonly ast.IndexItem[]): number[] {
    const out: number[] = [];
    for (const item of items) {
        if (item.end === undefined) {
            out.push(item.start);
        } else if (rangeProblem(item) === undefined) {
            for (let i = item.start; i < item.end; i++) out.push(i);
        }
    }
    return out;
}

/** Why a range `a..b` is not usable, if it is not. */
export function rangeProblem(item: ast.IndexItem): string | undefined {
    if (item.end === undefined) return undefined;
    if (item.start >= item.end) return `the range ${item.start}..${item.end} is empty: ranges are end-exclusive and ascending`;
    if (item.start < 0 && item.end > 0) return `the range ${item.start}..${item.end} mixes indices from the end and from the start; write two ranges`;
    return undefined;
}

/** The G node names the AST declares, without the model: input (or its parts), hooks (or their parts), output. */
export function declaredGraphNodes(spec: GraphSpec): string[] {
    const names: string[] = [];
    const withParts = (name: string, split: SplitSpec | undefined) => {
        if (split === undefined) names.push(name);
        else names.push(...split.parts.map(p => `${name}.${p.name}`), `${name}.rest`);
    };
    withParts('input', spec.inputSplit);
    for (const h of spec.hooks) withParts(h.name, h.split);
    names.push('output');
    return names;
}
