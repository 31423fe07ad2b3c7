// The raw value of an input part on a dataset example, computed from the dataset alone (the
// language server runs no model): the bound expression, tokenised when it is a string, with the
// split's indices taken along its axis. Used to evaluate features for the uniqueness warning.
import { evaluate } from '../../engine/features/evaluate.js';
import type { Row } from '../../engine/dataset/dataset.js';
import type { DatasetSpec, FeatureValue, GraphSpec } from '../../engine/spec.js';

/** A function giving an input part's flattened values per row, or undefined where the language cannot compute it (predicate splits, several inputs). */
export function inputPartValues(dataset: DatasetSpec, graph: GraphSpec, rows: readonly Row[]): ((part: string, row: number) => FeatureValue) | undefined {
    const tensorOf = (row: number): FeatureValue[] => dataset.inputs.map(b => {
        const v = evaluate(b.value, { values: rows[row] });
        return typeof v === 'string' ? tokenise(v, dataset) : v;
    });
    const split = graph.inputSplit;
    if (!split) return (part, row) => (part === 'input' ? flatten(tensorOf(row)) : []);
    if (split.axis === undefined || dataset.inputs.length !== 1 || split.parts.some(p => !('indices' in p))) return undefined;
    const axis = split.axis - 1;
    if (axis < 0) return undefined;
    return (part, row) => {
        const value = tensorOf(row)[0];
        const size = sizeAlong(value, axis);
        const named = split.parts.map(p => ('indices' in p ? p.indices.map(i => (i < 0 ? i + size : i)) : []));
        const name = part.slice('input.'.length);
        const k = split.parts.findIndex(p => p.name === name);
        const keep = k >= 0 ? new Set(named[k]) : name === 'rest' ? complement(size, named.flat()) : undefined;
        if (part === 'input' || keep === undefined) return flatten([value]);
        return flatten([select(value, axis, keep)]);
    };
}

function tokenise(text: string, dataset: DatasetSpec): number[] {
    const vocab = dataset.vocabulary;
    if (!vocab) throw new Error('a string input needs a vocabulary');
    const chars = [...(vocab.bos !== undefined ? [vocab.bos] : []), ...text];
    return chars.map(c => {
        const id = vocab.tokens[c];
        if (id === undefined) throw new Error(`token ${JSON.stringify(c)} is not in the vocabulary`);
        return id;
    });
}

function sizeAlong(value: FeatureValue, axis: number): number {
    let v = value;
    for (let i = 0; i < axis; i++) v = Array.isArray(v) ? v[0] : [];
    return Array.isArray(v) ? v.length : 1;
}

function complement(size: number, used: number[]): Set<number> {
    const set = new Set<number>();
    for (let i = 0; i < size; i++) if (!used.includes(i)) set.add(i);
    return set;
}

function select(value: FeatureValue, axis: number, keep: ReadonlySet<number>): FeatureValue {
    if (!Array.isArray(value)) return value;
    if (axis === 0) return value.filter((_, i) => keep.has(i));
    return value.map(v => select(v, axis - 1, keep));
}

function flatten(values: FeatureValue[]): number[] {
    const out: number[] = [];
    const walk = (v: FeatureValue) => {
        if (Array.isArray(v)) v.forEach(walk);
        else out.push(typeof v === 'boolean' ? Number(v) : Number(v));
    };
    values.forEach(walk);
    return out;
}
