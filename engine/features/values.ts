// Feature values: canonical keys (feature classes group examples by them), structural equality
// and the checks applied to values that come from outside (dataset rows, features-module calls).
import type { FeatureValue } from '../spec.js';

/**
 * The canonical key of a value: equal values (structurally, with 1 and 1.0 equal and true ≠ 1)
 * get equal keys, different values different keys.
 */
export function featureKey(value: FeatureValue): string {
    if (typeof value === 'number') {
        // JSON would print NaN and ±Infinity as null and -0 as 0; keep them apart from real nulls.
        if (Number.isFinite(value)) return Object.is(value, -0) ? '0' : String(value);
        return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    }
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    let key = '[';
    for (let i = 0; i < value.length; i++) {
        if (i > 0) key += ',';
        key += featureKey(value[i]);
    }
    return key + ']';
}

/** Structural equality of two values (the `==` of the expression language). */
export function valuesEqual(a: FeatureValue, b: FeatureValue): boolean {
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
        return true;
    }
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Whether an unknown JavaScript value is a feature value (number, string, boolean or a list of them). */
export function isFeatureValue(v: unknown): v is FeatureValue {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return true;
    return Array.isArray(v) && v.every(isFeatureValue);
}

/** A short rendering of a value for messages and hovers (long lists are elided). */
export function describeValue(value: FeatureValue, max = 60): string {
    const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value)
        ? `[${value.map(v => describeValue(v, max)).join(', ')}]` : String(value);
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** The kind of a runtime value, as written in runtime error messages. */
export function kindOfValue(value: unknown): string {
    if (Array.isArray(value)) return 'list';
    if (typeof value === 'function') return 'function';
    return typeof value;
}
