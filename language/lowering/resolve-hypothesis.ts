// What a hypothesis means once `extends` is applied: its effective I nodes (a base's nodes,
// overridden by name, then the new ones), its output statement and its run options.
import * as ast from '../generated/ast.js';

export interface ResolvedHypothesis {
    hypothesis: ast.Hypothesis;
    /** The hypothesis and its bases, nearest first; stops before a repeated one. */
    chain: ast.Hypothesis[];
    /** The `extends` chain comes back to a hypothesis already in it. */
    cyclic: boolean;
    /** Effective nodes by name, in declaration order (bases first). */
    nodes: Map<string, ast.InterpNode>;
    /** The effective output statements: the hypothesis's own, else its nearest base's. */
    outputs: ast.OutputStatement[];
    /** Run options in increasing precedence: the root base's first, the hypothesis's own last. */
    options: ast.RunOption[];
}

/** Applies `extends` (unresolved or cyclic bases contribute nothing further). */
export function resolveHypothesis(h: ast.Hypothesis): ResolvedHypothesis {
    const chain: ast.Hypothesis[] = [];
    let cyclic = false;
    for (let cur: ast.Hypothesis | undefined = h; cur; cur = cur.base?.ref) {
        if (chain.includes(cur)) {
            cyclic = true;
            break;
        }
        chain.push(cur);
    }
    const nodes = new Map<string, ast.InterpNode>();
    const options: ast.RunOption[] = [];
    let outputs: ast.OutputStatement[] = [];
    for (const cur of [...chain].reverse()) {
        for (const m of cur.members) {
            // A node the parser could not finish (`node x -`) has no name or G node yet: it is not in I.
            if (ast.isInterpNode(m)) {
                if (m.name !== undefined && m.target !== undefined) nodes.set(m.name, m);
            }
            else if (ast.isRunOption(m)) options.push(m);
        }
        const own = cur.members.filter(ast.isOutputStatement);
        if (own.length > 0) outputs = own;
    }
    return { hypothesis: h, chain, cyclic, nodes, outputs, options };
}

/** The I-parent names of a node or output statement (`input.z1` for input parts). */
export function parentNames(owner: ast.InterpNode | ast.OutputStatement): string[] {
    return owner.parents.map(parentName);
}

/** The parent's name as written (empty for a reference the parser could not finish). */
export function parentName(p: ast.ParentRef): string {
    return ast.isInputParentRef(p) ? (p.part === undefined ? 'input' : `input.${p.part}`) : p.node?.$refText ?? '';
}
