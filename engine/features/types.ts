// Static types of feature expressions, shared by the type checker (language), the builtin table
// and hovers. Dataset fields enter through their inferred FieldType.
import type { FieldType } from '../dataset/dataset.js';

export type FeatureType =
    | { kind: 'number'; integer: boolean }
    | { kind: 'boolean' }
    | { kind: 'string' }
    | { kind: 'list'; element: FeatureType }
    /** Unknown: values of features-module functions, empty lists, and the result of an error (no cascades). */
    | { kind: 'any' };

export const INT: FeatureType = { kind: 'number', integer: true };
export const NUMBER: FeatureType = { kind: 'number', integer: false };
export const BOOLEAN: FeatureType = { kind: 'boolean' };
export const STRING: FeatureType = { kind: 'string' };
export const ANY: FeatureType = { kind: 'any' };

/** A list type with the given element type. */
export function listOf(element: FeatureType): FeatureType {
    return { kind: 'list', element };
}

/** The feature type of a dataset field (a list of unknown elements is `list<any>`). */
export function fromFieldType(t: FieldType): FeatureType {
    switch (t.kind) {
        case 'number': return { kind: 'number', integer: t.integer };
        case 'list': return listOf(t.element === null ? ANY : fromFieldType(t.element));
        default: return { kind: t.kind };
    }
}

/** How types are written in messages and hovers: `int`, `number`, `list<int>`, … */
export function describeType(t: FeatureType): string {
    switch (t.kind) {
        case 'number': return t.integer ? 'int' : 'number';
        case 'list': return `list<${describeType(t.element)}>`;
        default: return t.kind;
    }
}

/** The least type covering both (int ⊔ number = number, any absorbs), or undefined when they do not agree. */
export function joinTypes(a: FeatureType, b: FeatureType): FeatureType | undefined {
    if (a.kind === 'any') return b;
    if (b.kind === 'any') return a;
    if (a.kind === 'number' && b.kind === 'number') return { kind: 'number', integer: a.integer && b.integer };
    if (a.kind === 'list' && b.kind === 'list') {
        const e = joinTypes(a.element, b.element);
        return e === undefined ? undefined : listOf(e);
    }
    return a.kind === b.kind ? a : undefined;
}

/** Whether a value of type `actual` may be used where `expected` is required (int fits number; any fits all). */
export function isAssignable(actual: FeatureType, expected: FeatureType): boolean {
    if (actual.kind === 'any' || expected.kind === 'any') return true;
    if (actual.kind === 'number' && expected.kind === 'number') return actual.integer || !expected.integer;
    if (actual.kind === 'list' && expected.kind === 'list') return isAssignable(actual.element, expected.element);
    return actual.kind === expected.kind;
}

export function isNumeric(t: FeatureType): boolean {
    return t.kind === 'number' || t.kind === 'any';
}

/** The element type of a list, or of a string seen as a list of one-character strings; undefined otherwise. */
export function elementType(t: FeatureType): FeatureType | undefined {
    if (t.kind === 'list') return t.element;
    if (t.kind === 'string') return STRING;
    if (t.kind === 'any') return ANY;
    return undefined;
}
