// The slow check that a scrub's plan is not exponential in depth (engine/plan/plan-size.ts): a
// hypothesis whose unclaimed G-parents (an undeclared `.rest` too) are resampled under every claimed
// node makes each path of the treeified hypothesis its own request, and its scrub does not end.
import { Cancellation, type ValidationAcceptor } from 'langium';
import { describePlanSize, isExponential } from '../../engine/plan/plan-size.js';
import * as ast from '../generated/ast.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { hypothesisPlanSize } from '../workspace/plan-size.js';
import { IssueCodes } from './issue-codes.js';

/** Warns on each hypothesis whose probe plan grows exponentially with depth, or is too large to probe. */
export async function checkPlanSizes(analysis: DocumentAnalysis, accept: ValidationAcceptor,
    token: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
    for (const h of analysis.file.elements.filter(ast.isHypothesis)) {
        const result = await hypothesisPlanSize(analysis, h, token);
        if (!('size' in result) || !isExponential(result.size)) continue;
        accept('warning', `scrubbing ${h.name} plans ${describePlanSize(result.size)}. Every G-parent a node leaves unclaimed (an undeclared .rest too) is resampled on each path below it, so paths share no requests: claim those parents, give nodes features so that paths meet, or claim fewer levels`,
            { node: h, property: 'name', code: IssueCodes.PlanExponential });
    }
}
