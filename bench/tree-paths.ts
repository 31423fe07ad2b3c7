// How big the treeified interpretation of a hypothesis is: the number of root-to-leaf paths of the
// output node's tree (DESIGN.md §2.3 recurses once per I-parent, so a node read by two children
// appears twice). The naive reference pays per tree node; the engine per distinct request. The
// benchmark reports both counts so that the gap between them can be read off the table.
import type { HypothesisSpec } from '../engine/spec.js';

/**
 * Root-to-leaf paths of the output node's tree: the sum over a node's I-parents of their path
 * counts, where an input part and a node without I-parents are leaves (one path each). A float
 * for counts past 2^53, which only deep synthetic hypotheses reach.
 */
export function treePaths(hypothesis: HypothesisSpec): number {
    const byName = new Map(hypothesis.nodes.map(n => [n.name, n]));
    const output = hypothesis.nodes.find(n => n.graphNode === 'output');
    if (!output) throw new Error(`hypothesis ${hypothesis.name} has no output node`);
    // Memoised per node: the tree is exponential in the depth of I, the DAG is not.
    const memo = new Map<string, number>();
    const paths = (name: string): number => {
        const node = byName.get(name);
        if (node === undefined) return 1; // an input part (`input`, `input.z1`)
        const known = memo.get(name);
        if (known !== undefined) return known;
        const count = node.parents.length === 0 ? 1 : node.parents.reduce((sum, p) => sum + paths(p), 0);
        memo.set(name, count);
        return count;
    };
    return paths(output.name);
}
