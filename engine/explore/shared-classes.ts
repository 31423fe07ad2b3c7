// A search scrubs many hypotheses that differ from one start hypothesis by edges and nodes, never
// by a feature its nodes keep. Feature classes over the dataset are then computed once, for the
// start: a candidate's plan nodes reuse them (prepare.ts caches them per hypothesis object, and a
// search makes a new object per candidate).
import type { PreparedScrub } from '../prepare.js';
import type { PlanNode } from '../plan/planner.js';
import type { HypothesisSpec, InterpNodeSpec } from '../spec.js';

/**
 * The prepared spec, whose planNodes reuse the start's feature classes for every node that keeps
 * its start feature object; a hypothesis with any other feature is computed as usual. A node's
 * classes depend on its feature and on the values of the I-parents the feature reads, so the
 * searches never remove an edge a feature reads.
 */
export function sharingFeatureClasses(prepared: PreparedScrub, start: HypothesisSpec): PreparedScrub {
    const startPlan = prepared.planNodes(start);
    const known = new Map<string, { spec: InterpNodeSpec; classes: PlanNode['classes'] }>(
        start.nodes.map((n, i) => [n.name, { spec: n, classes: startPlan[i].classes }]));
    return {
        ...prepared,
        planNodes(h: HypothesisSpec): PlanNode[] {
            const same = h.nodes.every(n => known.get(n.name)?.spec.feature === n.feature);
            if (!same) return prepared.planNodes(h);
            return h.nodes.map(n => ({ name: n.name, graphNode: n.graphNode, parents: n.parents, classes: known.get(n.name)!.classes }));
        },
    };
}
