// The part-level edges a file's hypotheses claim, as G sees them: what the numeric pass over
// part-level edges (graph/perturb-queries.ts) spends its bounds on first, and what its
// diagnostics (validation/numeric-pass-checks.ts) say were left untested.
import { AstUtils } from 'langium';
import { edgeKey } from '../../engine/graph/perturb-queries.js';
import type { GraphG } from '../../engine/graph/types.js';
import * as ast from '../generated/ast.js';
import { parentName, resolveHypothesis, type ResolvedHypothesis } from '../lowering/resolve-hypothesis.js';

/** Every part-level edge some hypothesis of the file claims, as edgeKey(child, parent) over G nodes. */
export function claimedEdges(file: ast.HypFile, g: GraphG): Set<string> {
    const edges = new Set<string>();
    const resolved = new Map<ast.Hypothesis, ResolvedHypothesis>();
    for (const owner of AstUtils.streamAst(file)) {
        if (!ast.isInterpNode(owner) && !ast.isOutputStatement(owner)) continue;
        const h = owner.$container;
        if (!resolved.has(h)) resolved.set(h, resolveHypothesis(h));
        const child = ast.isInterpNode(owner) ? owner.target : 'output';
        if (child === undefined || !g.nodes.has(child)) continue;
        for (const p of owner.parents) {
            const parent = ast.isInputParentRef(p) ? parentName(p) : resolved.get(h)!.nodes.get(parentName(p))?.target;
            if (parent !== undefined && g.nodes.has(parent)) edges.add(edgeKey(child, parent));
        }
    }
    return edges;
}
