// Feature values of every interpretation node on every dataset example, and the feature classes
// (value → examples) that the sampler draws from (DESIGN.md §2.3 step 1).
import type { Row } from '../dataset/dataset.js';
import { HypError, isHypError, type SourceLocation } from '../errors.js';
import type { FeatureValue, HypothesisSpec, InterpNodeSpec } from '../spec.js';
import { compileExpr, type EvalEnv, type FeatureFunctions } from './evaluate.js';
import { featureKey } from './values.js';

export interface FeatureEvaluationOptions {
    /**
     * The raw value of an input part (`input`, `input.z1`, `input.rest`) on example `row`; the
     * engine, which builds the input tensors, provides it. Needed when a feature names an input
     * part, and to give input-part parents their classes.
     */
    inputPart?: (part: string, row: number) => FeatureValue;
    /** The features module's exports. */
    functions?: FeatureFunctions;
    /** Where row `row` is in the dataset file, for the error of a feature that fails on it. */
    locate?: (row: number) => SourceLocation;
}

/** A feature that failed on a dataset row: which node, which row (0-based), and why (the message says it too). */
export class FeatureError extends HypError {
    constructor(message: string, code: string, location: SourceLocation | undefined, readonly node: string, readonly row: number, readonly reason: string) {
        super(message, code, location);
    }
}

/** Per node (and per input part used as an I-parent, when inputPart is given): its value on each example. */
export type FeatureTable = Map<string, FeatureValue[]>;

/** Whether an I-parent name denotes an input part rather than an interpretation node. */
export function isInputPart(name: string): boolean {
    return name === 'input' || name.startsWith('input.');
}

/**
 * Computes every I node's feature on every row, parents first; nodes without a feature (and the
 * output) have no entry. Throws a HypError (code `feature-runtime`) naming the node and the row, located
 * there when `locate` is given.
 */
export function evaluateFeatures(hypothesis: HypothesisSpec, rows: readonly Row[], options: FeatureEvaluationOptions = {}): FeatureTable {
    const table: FeatureTable = new Map();
    const inputPart = (part: string): FeatureValue[] => {
        let values = table.get(part);
        if (!values) {
            const get = options.inputPart;
            if (!get) throw new HypError(`the value of ${part} is needed but no input tensor is available`, 'feature-input-part');
            values = rows.map((_, i) => get(part, i));
            table.set(part, values);
        }
        return values;
    };
    for (const node of topologicalOrder(hypothesis.nodes)) {
        if (options.inputPart) for (const p of node.parents) if (isInputPart(p)) inputPart(p);
        if (node.feature === null) continue;
        const compiled = compileExpr(node.feature);
        const parents = new Set(node.parents);
        const values: FeatureValue[] = new Array(rows.length);
        let row = 0;
        const env: EvalEnv = {
            functions: options.functions,
            lookup: name => {
                if (parents.has(name)) return isInputPart(name) ? inputPart(name)[row] : table.get(name)?.[row];
                const v = rows[row][name];
                return v === undefined ? undefined : v as FeatureValue;
            },
        };
        for (row = 0; row < rows.length; row++) {
            try {
                values[row] = compiled(env);
            } catch (e) {
                const message = isHypError(e) ? e.message : String(e);
                throw new FeatureError(`feature of ${node.name} on dataset row ${row + 1}: ${message}`, isHypError(e) ? e.code : 'feature-runtime',
                    options.locate?.(row), node.name, row, message);
            }
        }
        table.set(node.name, values);
    }
    return table;
}

/** The nodes ordered parents first (stable: keeps the given order where it already is one). */
export function topologicalOrder(nodes: readonly InterpNodeSpec[]): InterpNodeSpec[] {
    const byName = new Map(nodes.map(n => [n.name, n]));
    const state = new Map<string, 'visiting' | 'done'>();
    const out: InterpNodeSpec[] = [];
    const visit = (n: InterpNodeSpec) => {
        const s = state.get(n.name);
        if (s === 'done') return;
        if (s === 'visiting') throw new HypError(`the interpretation graph has a cycle through ${n.name}`, 'interp-cycle');
        state.set(n.name, 'visiting');
        for (const p of n.parents) {
            const parent = byName.get(p);
            if (parent) visit(parent);
        }
        state.set(n.name, 'done');
        out.push(n);
    };
    nodes.forEach(visit);
    return out;
}

export interface FeatureClasses {
    /** The class of each example. */
    classOf: Int32Array;
    /** The examples of each class, ascending; classes are numbered in order of first appearance. */
    members: Int32Array[];
}

/** Groups examples by equal feature value (canonical key). */
export function featureClasses(values: readonly FeatureValue[]): FeatureClasses {
    const ids = new Map<string, number>();
    const classOf = new Int32Array(values.length);
    const sizes: number[] = [];
    for (let i = 0; i < values.length; i++) {
        const key = featureKey(values[i]);
        let id = ids.get(key);
        if (id === undefined) {
            id = sizes.length;
            ids.set(key, id);
            sizes.push(0);
        }
        classOf[i] = id;
        sizes[id]++;
    }
    const members = sizes.map(n => new Int32Array(n));
    const filled = new Array<number>(sizes.length).fill(0);
    for (let i = 0; i < values.length; i++) members[classOf[i]][filled[classOf[i]]++] = i;
    return { classOf, members };
}
