// "Did you mean" for tensor names. Exported names are long paths ("/layers.0/attn/Add_output_0"),
// so a typo is a few edits in a long string: the distance allowed grows with the name's length.

/** The candidate closest to `name` by edit distance, or undefined when none is plausibly meant. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
    const limit = Math.max(2, Math.floor(name.length / 3));
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const c of candidates) {
        // Case-only differences are the likeliest slip; rank them before any real edit.
        const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c, bestDistance + 1);
        if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it must exceed `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
    if (Math.abs(a.length - b.length) >= cap) return cap;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            const v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            row.push(v);
            rowMin = Math.min(rowMin, v);
        }
        if (rowMin >= cap) return cap;
        prev = row;
    }
    return prev[b.length];
}
