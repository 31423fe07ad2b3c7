// The model's graph inputs for every dataset example, built once from the dataset's input bindings
// (tokenising string fields with the vocabulary) and checked against the input's dtype and shape.
// A row that does not fit is reported with the dataset line and what was expected.
import type { Dataset } from '../dataset/dataset.js';
import { HypError } from '../errors.js';
import type { ModelGraph } from '../graph/types.js';
import type { DatasetSpec, Expr, FeatureValue, VocabularySpec } from '../spec.js';
import { type Activation, type NumericArray, allocTyped, exampleSize } from './typed-arrays.js';

/** Evaluates a binding expression on one dataset row. */
export type RowEvaluator = (expr: Expr, row: Record<string, unknown>) => FeatureValue;

export interface ModelInputs {
    readonly names: readonly string[];
    readonly count: number;
    has(name: string): boolean;
    dtype(name: string): string;
    /** One example's dims (no batch axis). */
    dims(name: string): readonly number[];
    /** The examples' values stacked along a new batch axis. */
    batch(name: string, examples: Int32Array): Activation;
}

/** One graph input's values for every example, one example after another. */
export interface InputColumn {
    dtype: string;
    dims: number[];
    data: NumericArray;
}

/** Builds every graph input for every row; throws a located HypError on the first row that does not fit. */
export function buildModelInputs(graph: ModelGraph, dataset: Dataset, spec: DatasetSpec, evaluate: RowEvaluator): ModelInputs {
    const columns = new Map(graph.inputs.map(name => [name, buildInputColumn(graph, dataset, spec, name, evaluate)]));
    return modelInputsOf(graph.inputs, columns, dataset.rows.length);
}

/** One graph input's values for every row; throws a located HypError on the first row that does not fit. */
export function buildInputColumn(graph: ModelGraph, dataset: Dataset, spec: DatasetSpec, name: string, evaluate: RowEvaluator): InputColumn {
    const binding = spec.inputs.find(b => b.onnxName === name);
    if (!binding) {
        throw new HypError(`the model input "${name}" is not bound to a dataset field`, 'input-unbound', { file: dataset.path },
            `add \`input ${name} = <field>\` to the dataset block`);
    }
    const info = graph.tensors.get(name);
    const dtype = info?.dtype ?? 'float32';
    let fixed = info?.shape?.slice(1) ?? null;
    let column: InputColumn | undefined;
    dataset.rows.forEach((row, r) => {
        const where = { file: dataset.path, line: dataset.rowLines[r] };
        let value: FeatureValue;
        try {
            value = evaluate(binding.value, row);
        } catch (e) {
            throw new HypError(`cannot compute input "${name}": ${(e as Error).message}`, 'input-value', where);
        }
        if (typeof value === 'string') value = tokenise(value, spec.vocabulary, fixed, name, where);
        const shape = shapeOf(value);
        if (shape === null) throw new HypError(`input "${name}" must be numbers (got ${JSON.stringify(value).slice(0, 60)})`, 'input-shape', where);
        if (INTEGER_DTYPES.has(dtype)) {
            const bad = firstNonInteger(value);
            if (bad !== undefined) {
                throw new HypError(`input "${name}" holds ${bad} here but the model input is ${dtype}`, 'input-dtype', where,
                    'an integer input takes integers (token ids, indices): round them in the dataset or in the binding');
            }
        }
        if (column === undefined) {
            const dims = (fixed ?? shape).map((d, k) => (typeof d === 'number' ? d : shape[k]));
            fixed = dims;
            column = { dtype, dims, data: allocTyped(dtype, exampleSize(dims) * dataset.rows.length) };
        }
        if (shape.length !== column.dims.length || shape.some((d, k) => d !== column!.dims[k])) {
            throw new HypError(`input "${name}" has shape [${shape.join(', ')}] here but the model expects [${column.dims.join(', ')}]`,
                'input-shape', where, 'every row must fit the model input, leaving out its batch axis');
        }
        writeFlat(value, column.data, r * exampleSize(column.dims), dtype === 'int64');
    });
    return column!;
}

/** The inputs over columns built by buildInputColumn, one per name. */
export function modelInputsOf(names: readonly string[], columns: ReadonlyMap<string, InputColumn>, count: number): ModelInputs {
    return {
        names,
        count,
        has: name => columns.has(name),
        dtype: name => columns.get(name)!.dtype,
        dims: name => columns.get(name)!.dims,
        batch(name, examples) {
            const c = columns.get(name)!;
            const size = exampleSize(c.dims);
            const out = allocTyped(c.dtype, size * examples.length);
            examples.forEach((e, b) => (out as Float32Array).set((c.data as Float32Array).subarray(e * size, (e + 1) * size), b * size));
            return { data: out, offset: 0, dims: c.dims };
        },
    };
}

/** A string as token ids: optional start token, one token per character, padded to the input's length. */
function tokenise(text: string, vocab: VocabularySpec | undefined, fixed: (number | string)[] | null, name: string, where: { file: string; line: number }): number[] {
    if (!vocab) throw new HypError(`input "${name}" is a string but the dataset declares no vocabulary`, 'input-vocabulary', where,
        'add a `vocabulary { ... }` to the dataset block');
    const id = (token: string): number => {
        const v = vocab.tokens[token];
        if (v === undefined) throw new HypError(`token ${JSON.stringify(token)} is not in the vocabulary`, 'input-vocabulary', where);
        return v;
    };
    const ids = [...(vocab.bos !== undefined ? [id(vocab.bos)] : []), ...[...text].map(id)];
    const length = fixed?.length === 1 && typeof fixed[0] === 'number' ? fixed[0] : undefined;
    if (length !== undefined && ids.length > length) {
        throw new HypError(`input "${name}" has ${ids.length} tokens but the model takes ${length}`, 'input-shape', where);
    }
    if (length !== undefined && ids.length < length) {
        if (vocab.pad === undefined) throw new HypError(`input "${name}" has ${ids.length} tokens but the model takes ${length}`, 'input-shape', where,
            'declare a pad token in the vocabulary');
        while (ids.length < length) ids.push(id(vocab.pad));
    }
    return ids;
}

const INTEGER_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint16', 'uint8']);

/** The first number of a (nested) value that is not an integer, if any. */
function firstNonInteger(v: FeatureValue): number | undefined {
    if (typeof v === 'number') return Number.isInteger(v) ? undefined : v;
    if (!Array.isArray(v)) return undefined;
    for (const item of v) {
        const bad = firstNonInteger(item);
        if (bad !== undefined) return bad;
    }
    return undefined;
}

/** The nested-list shape of a value of numbers or booleans; null when ragged or not numeric. */
function shapeOf(v: FeatureValue): number[] | null {
    if (typeof v === 'number' || typeof v === 'boolean') return [];
    if (!Array.isArray(v)) return null;
    if (v.length === 0) return [0];
    const inner = shapeOf(v[0]);
    if (inner === null) return null;
    for (const item of v) {
        const s = shapeOf(item);
        if (s === null || s.length !== inner.length || s.some((d, k) => d !== inner[k])) return null;
    }
    return [v.length, ...inner];
}

function writeFlat(v: FeatureValue, out: NumericArray, offset: number, bigint: boolean): number {
    if (Array.isArray(v)) {
        for (const item of v) offset = writeFlat(item, out, offset, bigint);
        return offset;
    }
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    if (bigint) (out as BigInt64Array)[offset] = BigInt(Math.trunc(n));
    else (out as Float32Array)[offset] = n;
    return offset + 1;
}
