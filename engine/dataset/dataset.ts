// Reading a JSONL dataset and describing its fields, for feature evaluation (engine) and for type
// checking and hovers (language). Every problem is reported with the file and line it comes from.
import { readFileSync } from 'node:fs';
import { HypError } from '../errors.js';

/** The type of a dataset field, as inferred from every row. */
export type FieldType =
    | { kind: 'number'; integer: boolean }
    | { kind: 'boolean' }
    | { kind: 'string' }
    | { kind: 'list'; element: FieldType | null };

export interface FieldInfo {
    name: string;
    type: FieldType;
    /** The field's value in the first row, for hovers. */
    example: unknown;
}

export type Row = Record<string, unknown>;

export interface Dataset {
    path: string;
    rows: Row[];
    /** The 1-based file line of each row, for located errors. */
    rowLines: number[];
    fields: FieldInfo[];
}

/** Reads a JSONL file; throws a located HypError for unreadable files and malformed lines. */
export function loadDataset(path: string): Dataset {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch (e) {
        throw new HypError(`cannot read dataset: ${(e as Error).message}`, 'dataset-unreadable', { file: path },
            'check the path in the `dataset` declaration');
    }
    return parseDataset(path, text);
}

export function parseDataset(path: string, text: string): Dataset {
    const rows: Row[] = [];
    const rowLines: number[] = [];
    const types = new Map<string, FieldType>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === '') continue;
        let row: unknown;
        try {
            row = JSON.parse(line);
        } catch (e) {
            throw new HypError(`line is not valid JSON: ${(e as Error).message}`, 'dataset-json', { file: path, line: i + 1 },
                'each line of a JSONL dataset must be one JSON object');
        }
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
            throw new HypError('line is not a JSON object', 'dataset-json', { file: path, line: i + 1 },
                'each line of a JSONL dataset must be one JSON object');
        }
        for (const [name, value] of Object.entries(row)) {
            const t = typeOfValue(value);
            if (t === undefined) {
                throw new HypError(`field "${name}" has a value of unsupported type`, 'dataset-type', { file: path, line: i + 1 },
                    'fields hold numbers, booleans, strings or lists of them');
            }
            const merged = types.has(name) ? unify(types.get(name)!, t) : t;
            if (merged === undefined) {
                throw new HypError(`field "${name}" is ${describeFieldType(t)} here but ${describeFieldType(types.get(name)!)} on earlier lines`,
                    'dataset-type', { file: path, line: i + 1 }, 'every row must give a field the same type');
            }
            types.set(name, merged);
        }
        rows.push(row as Row);
        rowLines.push(i + 1);
    }
    if (rows.length === 0) {
        throw new HypError('dataset has no rows', 'dataset-empty', { file: path }, 'a JSONL dataset needs one JSON object per line');
    }
    for (const name of types.keys()) {
        const missing = rows.findIndex(r => !(name in r));
        if (missing >= 0) {
            throw new HypError(`row has no field "${name}"`, 'dataset-field-missing', { file: path, line: rowLines[missing] },
                'every row must have the same fields');
        }
    }
    const fields = [...types.entries()].map(([name, type]) => ({ name, type, example: rows[0][name] }));
    return { path, rows, rowLines, fields };
}

function typeOfValue(v: unknown): FieldType | undefined {
    if (typeof v === 'number') return { kind: 'number', integer: Number.isInteger(v) };
    if (typeof v === 'boolean') return { kind: 'boolean' };
    if (typeof v === 'string') return { kind: 'string' };
    if (Array.isArray(v)) {
        let element: FieldType | null = null;
        for (const item of v) {
            const t = typeOfValue(item);
            if (t === undefined) return undefined;
            const merged: FieldType | undefined = element === null ? t : unify(element, t);
            if (merged === undefined) return undefined;
            element = merged;
        }
        return { kind: 'list', element };
    }
    return undefined;
}

/** The least type covering both, or undefined when they do not agree. */
export function unify(a: FieldType, b: FieldType): FieldType | undefined {
    if (a.kind === 'number' && b.kind === 'number') return { kind: 'number', integer: a.integer && b.integer };
    if (a.kind === 'list' && b.kind === 'list') {
        if (a.element === null) return b;
        if (b.element === null) return a;
        const e = unify(a.element, b.element);
        return e === undefined ? undefined : { kind: 'list', element: e };
    }
    return a.kind === b.kind ? a : undefined;
}

export function describeFieldType(t: FieldType): string {
    switch (t.kind) {
        case 'number': return t.integer ? 'int' : 'number';
        case 'list': return `list<${t.element ? describeFieldType(t.element) : 'any'}>`;
        default: return t.kind;
    }
}
