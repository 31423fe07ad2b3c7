// Where the cursor is, read from the text of its line: inside a tensor-name string, after `->`,
// after `<-`, inside a feature. Text, not the parse tree, because the line being typed is
// usually incomplete (an unterminated string lexes as garbage); the tree then gives the scope.

export type CompletionSite =
    /** Inside `node X = "…"`: a tensor of the model. */
    | { kind: 'tensor' }
    /** Inside `split input "…"` or after `input` in the dataset block: an ONNX graph input. */
    | { kind: 'onnx-input'; quoted: boolean }
    /** After `->`: a G node. */
    | { kind: 'graph-node' }
    /** After `<-` (or a comma following it): an I node or an input part. */
    | { kind: 'parent' }
    /** In a node's feature: parents, fields, builtins, functions, keywords. */
    | { kind: 'feature' }
    /** In an input binding's expression: fields, builtins. */
    | { kind: 'binding' }
    /** After `label` or `at position`: a dataset field. */
    | { kind: 'field' }
    /** After `metric`, `unimportant` or `ablation`: one of a fixed set of words. */
    | { kind: 'choice'; keyword: 'metric' | 'unimportant' | 'ablation' }
    /** After `split through`: a hook point split into parts (the source of a rewrite). */
    | { kind: 'split-source' };

export interface SiteAt {
    site: CompletionSite;
    /** The text typed so far (what items are filtered by). */
    typed: string;
    /** Offsets of the text a chosen item replaces. */
    start: number;
    end: number;
}

/** The completion site at `offset` of `text`, if the line's text before it identifies one. */
export function completionSiteAt(text: string, offset: number): SiteAt | undefined {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const before = text.slice(lineStart, offset);
    const after = text.slice(offset, text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset));
    const word = (re: RegExp, site: CompletionSite, rest = /^[\w.]*/): SiteAt | undefined => {
        const m = re.exec(before);
        if (!m) return undefined;
        const typed = m[m.length - 1];
        return { site, typed, start: offset - typed.length, end: offset + (rest.exec(after)?.[0].length ?? 0) };
    };
    const inString = (re: RegExp, site: CompletionSite): SiteAt | undefined => {
        const m = re.exec(before);
        if (!m) return undefined;
        const typed = m[2];
        // Up to the closing quote; in a string not closed yet, up to the end of the name being
        // typed (the rest of the line, a comment say, is not part of it).
        const close = after.indexOf(m[1]);
        const rest = close < 0 ? /^[^\s"']*/.exec(after)![0].length : close;
        return { site, typed, start: offset - typed.length, end: offset + rest };
    };
    return inString(/\bnode\s+\w+\s*=\s*(["'])([^"']*)$/, { kind: 'tensor' })
        ?? inString(/\bsplit\s+input\s+(["'])([^"']*)$/, { kind: 'onnx-input', quoted: true })
        ?? inString(/^\s*input\s+(["'])([^"']*)$/, { kind: 'onnx-input', quoted: true })
        ?? word(/^\s*input\s+(\w*)$/, { kind: 'onnx-input', quoted: false }, /^\w*/)
        ?? word(/<-\s*(?:[\w.]+\s*,\s*)*([\w.]*)$/, { kind: 'parent' })
        ?? word(/->\s*([\w.]*)$/, { kind: 'graph-node' })
        ?? word(/\bsplit\s+through\s+(\w*)$/, { kind: 'split-source' }, /^\w*/)
        ?? word(/->\s*[\w.]+\s*=(?!=)(?:(?!<-).)*?([\w.]*)$/, { kind: 'feature' })
        ?? word(/^\s*input\s+(?:\w+|"[^"]*"|'[^']*')\s*=(?!=).*?(\w*)$/, { kind: 'binding' }, /^\w*/)
        ?? word(/\b(?:label|at\s+position)\s+(\w*)$/, { kind: 'field' }, /^\w*/)
        ?? choice(before, offset, after);
}

function choice(before: string, offset: number, after: string): SiteAt | undefined {
    const m = /\b(metric|unimportant|ablation)\s+(\w*)$/.exec(before);
    if (!m) return undefined;
    const typed = m[2];
    return { site: { kind: 'choice', keyword: m[1] as 'metric' | 'unimportant' | 'ablation' }, typed, start: offset - typed.length, end: offset + (/^\w*/.exec(after)?.[0].length ?? 0) };
}
