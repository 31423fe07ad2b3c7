// The `graph { … }` block → GraphSpec: hook points and splits, index sets expanded, rewrites
// into sums of parts with their vectors read.
import type { GraphSpec, PartSpec, RewriteSpec, SplitSpec } from '../../engine/spec.js';
import * as ast from '../generated/ast.js';
import { lowerIfComplete } from './lower-expression.js';

/**
 * The vectors of a subspace part written as a file (`v: "dirs.json" at "key"`): read relative to
 * the document, or why not.
 */
export type VectorReader = (path: string, key: string | undefined) => number[][] | { error: string };

/**
 * The graph spec of a file (all `graph` blocks together; none gives no hooks). `file` (the .hyp
 * file's path) locates the errors of rewrites checked on data; `vectors` reads subspace files
 * (without it, or when a file cannot be read, that part is left out: validation reports why).
 */
export function lowerGraph(file: ast.HypFile, vectors?: VectorReader, path?: string): GraphSpec {
    const spec: GraphSpec = { hooks: [] };
    for (const graph of file.elements.filter(ast.isGraphDecl)) {
        for (const member of graph.members) {
            if (ast.isHookPoint(member)) {
                // A hook whose string is still being typed has no tensor yet: it is not part of G.
                if (member.name === undefined || member.tensor === undefined) continue;
                const rewrite = member.split && lowerRewrite(member.split, vectors);
                // Only a rewrite raises errors of its own at scrub time (its check on rows).
                const source = path === undefined || rewrite === undefined ? undefined : { file: path, line: (member.$cstNode?.range.start.line ?? 0) + 1 };
                spec.hooks.push({
                    name: member.name, tensor: member.tensor,
                    ...(rewrite !== undefined ? { rewrite } : member.split && { split: lowerSplit(member.split) }),
                    ...(source && { source }),
                });
            } else if (spec.inputSplit === undefined && member.split !== undefined && !isRewrite(member.split)) {
                spec.inputSplit = { ...lowerSplit(member.split), ...(member.tensor !== undefined && { tensor: member.tensor }) };
            }
        }
    }
    return spec;
}

/** The parts a split names in the text (a `through` split's parts are its source's: none here). */
export function namedParts(split: ast.Split | undefined): (ast.IndexPart | ast.PredicatePart | ast.SubspacePart)[] {
    return split === undefined || ast.isThroughSplit(split) ? [] : split.parts;
}

/** Whether a split is a rewrite into a sum of parts (hook points only) rather than a partition. */
export function isRewrite(split: ast.Split): split is ast.ThroughSplit | ast.SubspaceSplit {
    return ast.isThroughSplit(split) || ast.isSubspaceSplit(split);
}

/** A `through` or `subspace` split as a rewrite; undefined for a partition. */
function lowerRewrite(split: ast.Split, vectors: VectorReader | undefined): RewriteSpec | undefined {
    if (ast.isThroughSplit(split)) return { kind: 'through', source: split.source ?? '' };
    if (!ast.isSubspaceSplit(split)) return undefined;
    return {
        kind: 'subspace',
        parts: split.parts.flatMap(p => {
            if (p.name === undefined) return [];
            if (p.file === undefined) return [{ name: p.name, vectors: p.vectors.map(v => [...v.values]) }];
            const read = vectors?.(p.file, p.key);
            return read === undefined || 'error' in read ? [] : [{ name: p.name, vectors: read }];
        }),
    };
}

/**
 * The vectors a subspace file holds: a vector, a list of vectors, or (with a key) an object
 * holding one of those under the key; or why the value is none of these.
 */
export function vectorsOf(value: unknown, key: string | undefined): number[][] | { error: string } {
    let v = value;
    if (key !== undefined) {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: `the file holds no object, so it has no "${key}"` };
        if (!Object.hasOwn(v, key)) return { error: `the file has no "${key}"; it has ${Object.keys(v).map(k => `"${k}"`).join(', ') || 'no keys'}` };
        v = (v as Record<string, unknown>)[key];
    }
    const isVector = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every(e => typeof e === 'number' && Number.isFinite(e));
    if (isVector(v)) return [v];
    if (Array.isArray(v) && v.length > 0 && v.every(isVector)) return v;
    return { error: `${key !== undefined ? `"${key}"` : 'the file'} must hold a vector of numbers or a list of such vectors${key === undefined && typeof v === 'object' && v !== null && !Array.isArray(v) ? ' (it holds an object: name its field with `at "key"`)' : ''}` };
}

/** A split's parts with index sets expanded (`0..3` is 0, 1, 2); parts the parser could not finish are left out. */
export function lowerSplit(split: ast.Split): SplitSpec {
    if (isRewrite(split)) return { parts: [] };
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
    for (const h of spec.hooks) {
        if (h.rewrite?.kind === 'subspace') names.push(...h.rewrite.parts.map(p => `${h.name}.${p.name}`), `${h.name}.rest`);
        else if (h.rewrite?.kind === 'through') {
            const source = h.rewrite.source;
            names.push(...(spec.hooks.find(s => s.name === source)?.split?.parts ?? []).map(p => `${h.name}.${p.name}`), `${h.name}.rest`, `${h.name}.bias`);
        } else withParts(h.name, h.split);
    }
    names.push('output');
    return names;
}
