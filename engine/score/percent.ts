// A fraction as the one-decimal percentage every output prints (CLI, lenses, hovers, views, the
// texts discover and challenge write). A CI end can be unbounded: on few roots a bootstrap resample
// may have the random baseline equal to the clean value while the scrub differs, and its loss
// recovered is ±∞ (statistics.ts). That prints as ∞, not as "Infinity"; an undefined value (the
// baseline equal to the clean value on the whole sample) prints as "undefined", not "NaN".

/** `87.3`, `−∞`, `∞` or `undefined` (no % sign). */
export function percentDigits(fraction: number): string {
    if (Number.isNaN(fraction)) return 'undefined';
    if (fraction === Infinity) return '∞';
    if (fraction === -Infinity) return '−∞';
    return (100 * fraction).toFixed(1);
}

/** `87.3%`, `−∞%`, `∞%` or `undefined`. */
export function percentText(fraction: number): string {
    return Number.isNaN(fraction) ? 'undefined' : `${percentDigits(fraction)}%`;
}

/** A number for JSON, where ±∞ and NaN have no literal: `"Infinity"`, `"-Infinity"`, `null` (undefined). */
export function jsonNumber(x: number): number | string | null {
    if (Number.isNaN(x)) return null;
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    return x;
}
