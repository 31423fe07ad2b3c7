// Edits of a lowered hypothesis that the searches make: drop an I-edge, drop what the output no
// longer reads, conjoin a feature. Each returns a new spec and leaves its argument alone (the
// search keeps the current hypothesis while it scrubs a candidate).
import type { Expr, HypothesisSpec, InterpNodeSpec } from '../spec.js';

/** The I node the output maps to. */
export function outputNode(h: HypothesisSpec): InterpNodeSpec {
    const out = h.nodes.find(n => n.graphNode === 'output');
    if (out === undefined) throw new Error(`hypothesis ${h.name} has no output node`);
    return out;
}

/** Names of the I nodes the output reads, directly or through other nodes (the output included). */
export function readByOutput(h: HypothesisSpec): Set<string> {
    const byName = new Map(h.nodes.map(n => [n.name, n]));
    const seen = new Set<string>();
    const stack = [outputNode(h).name];
    while (stack.length > 0) {
        const name = stack.pop()!;
        if (seen.has(name)) continue;
        seen.add(name);
        for (const p of byName.get(name)?.parents ?? []) if (byName.has(p)) stack.push(p);
    }
    return seen;
}

/** The hypothesis without the nodes the output does not read (they claim nothing). */
export function pruneUnread(h: HypothesisSpec): { hypothesis: HypothesisSpec; removed: InterpNodeSpec[] } {
    const read = readByOutput(h);
    const removed = h.nodes.filter(n => !read.has(n.name));
    return removed.length === 0 ? { hypothesis: h, removed } : { hypothesis: { ...h, nodes: h.nodes.filter(n => read.has(n.name)) }, removed };
}

/** The hypothesis with `parent` no longer an I-parent of `child`, and what that leaves unread removed. */
export function withoutEdge(h: HypothesisSpec, child: string, parent: string): { hypothesis: HypothesisSpec; removed: InterpNodeSpec[] } {
    const nodes = h.nodes.map(n => (n.name === child ? { ...n, parents: n.parents.filter(p => p !== parent) } : n));
    return pruneUnread({ ...h, nodes });
}

/** The hypothesis with one node's feature replaced. */
export function withFeature(h: HypothesisSpec, node: string, feature: Expr): HypothesisSpec {
    return { ...h, nodes: h.nodes.map(n => (n.name === node ? { ...n, feature } : n)) };
}

/** The free names a feature reads (fields, I-parents, input parts): lambda parameters are bound, not read. */
export function freeNames(e: Expr, bound: ReadonlySet<string> = new Set()): Set<string> {
    const out = new Set<string>();
    const visit = (x: Expr, b: ReadonlySet<string>): void => {
        switch (x.kind) {
            case 'ref': if (!b.has(x.name)) out.add(x.name); return;
            case 'list': x.items.forEach(i => visit(i, b)); return;
            case 'unary': visit(x.arg, b); return;
            case 'binary': visit(x.left, b); visit(x.right, b); return;
            case 'conditional': visit(x.test, b); visit(x.then, b); visit(x.else, b); return;
            case 'index': visit(x.target, b); visit(x.index, b); return;
            case 'slice': visit(x.target, b); if (x.start) visit(x.start, b); if (x.end) visit(x.end, b); return;
            case 'call': x.args.forEach(a => visit(a, b)); return;
            case 'lambda': visit(x.body, new Set([...b, ...x.params])); return;
            default: return;
        }
    };
    visit(e, bound);
    return out;
}
