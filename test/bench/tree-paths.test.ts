import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS, type HypothesisSpec, type InterpNodeSpec } from '../../engine/spec.js';
import { treePaths } from '../../bench/tree-paths.js';

/** A hypothesis from `name <- parents` pairs; the node named `out` maps to the output. */
function hypothesis(edges: Record<string, string[]>): HypothesisSpec {
    const nodes: InterpNodeSpec[] = Object.entries(edges).map(([name, parents]) => ({
        name, graphNode: name === 'out' ? 'output' : name.toUpperCase(), feature: null, parents,
    }));
    return { name: 'h', nodes, options: DEFAULT_RUN_OPTIONS };
}

describe('treePaths', () => {
    it('an output that reads only the input has one path', () => {
        expect(treePaths(hypothesis({ out: ['input'] }))).toBe(1);
    });

    it('an output without I-parents is itself a leaf', () => {
        expect(treePaths(hypothesis({ out: [] }))).toBe(1);
    });

    it('adds the paths of every I-parent, input parts counting one each', () => {
        // The toy's correct hypothesis: a <- z1, b <- z2, d <- a, b, out <- d.
        expect(treePaths(hypothesis({ a: ['input.z1'], b: ['input.z2'], d: ['a', 'b'], out: ['d'] }))).toBe(2);
        expect(treePaths(hypothesis({ a: ['input.z1', 'input.z2', 'input.z3'], out: ['a', 'input.z1'] }))).toBe(4);
    });

    it('counts a node read by two children once per reader, as the tree unrolls it', () => {
        // Diamond: out <- b, c; b <- a; c <- a; a <- input, input.z1 — a appears twice in the tree.
        expect(treePaths(hypothesis({ a: ['input', 'input.z1'], b: ['a'], c: ['a'], out: ['b', 'c'] }))).toBe(4);
    });

    it('grows exponentially with the depth of a ladder of diamonds while the nodes grow linearly', () => {
        // Level k has two nodes that both read both nodes of level k - 1: 2^depth paths per node.
        const edges: Record<string, string[]> = { l0a: ['input'], l0b: ['input'] };
        const depth = 20;
        for (let k = 1; k <= depth; k++) edges[`l${k}a`] = edges[`l${k}b`] = [`l${k - 1}a`, `l${k - 1}b`];
        edges.out = [`l${depth}a`];
        expect(treePaths(hypothesis(edges))).toBe(2 ** depth);
    });

    it('needs an output node', () => {
        expect(() => treePaths({ name: 'h', nodes: [], options: DEFAULT_RUN_OPTIONS })).toThrow(/no output node/);
    });
});
