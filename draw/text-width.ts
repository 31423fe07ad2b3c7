// Text widths without a browser: the layout needs each box's size before anything is rendered,
// and the output must not depend on the fonts of the machine that drew it. Labels use a standard
// sans-serif (Helvetica/Arial metrics, estimated per character class and rounded up), features a
// monospace font whose advance is 0.6 em in every common face (Menlo, Consolas, DejaVu Sans Mono).

export const SANS = 'Helvetica, Arial, sans-serif';
export const MONO = 'Menlo, Consolas, "DejaVu Sans Mono", monospace';

const NARROW = new Set([...'iljtfrI.,:;\'|!()[]{} ']);
const WIDE = new Set([...'mwMW@%']);

/** Estimated width of `text` in a Helvetica-like sans-serif of `size` px (slightly generous). */
export function sansWidth(text: string, size: number): number {
    let em = 0;
    for (const c of text) {
        if (NARROW.has(c)) em += 0.3;
        else if (WIDE.has(c)) em += 0.86;
        else if (c >= 'A' && c <= 'Z') em += 0.68;
        else em += 0.57;
    }
    return Math.ceil(em * size);
}

/** Width of `text` in a monospace font of `size` px. */
export function monoWidth(text: string, size: number): number {
    return Math.ceil([...text].length * 0.6 * size);
}

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
    const chars = [...text];
    return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
