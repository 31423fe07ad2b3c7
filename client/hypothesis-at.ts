// Which hypothesis a command from the palette means: the one around the cursor, found in the
// text (the server is not needed to read a block header).
const HEADER = /^\s*hypothesis\s+([A-Za-z_][A-Za-z0-9_]*)/;

/** The names of the hypotheses declared in a file's text, in order. */
export function hypothesisNames(text: string): string[] {
    return text.split('\n').flatMap(line => {
        const m = HEADER.exec(line);
        return m ? [m[1]] : [];
    });
}

/** The hypothesis whose block starts at or above `line` (0-based), if any. */
export function hypothesisAt(text: string, line: number): string | undefined {
    const lines = text.split('\n');
    for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
        const m = HEADER.exec(lines[i]);
        if (m) return m[1];
    }
    return undefined;
}
