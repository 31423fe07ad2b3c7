// The expensive check (Langium's `slow` category): every feature is evaluated on the whole dataset.
// A feature whose value is unique for most examples makes resampling return the example itself,
// so the hypothesis claims something it never tests; a feature that fails on some row is an error
// the scrub would hit (in every hypothesis that has the node, inherited ones included).
import { Cancellation, type ValidationAcceptor } from 'langium';
import { featureClasses } from '../../engine/features/feature-table.js';
import * as ast from '../generated/ast.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { hypothesisFeatureValues } from '../workspace/feature-values.js';
import { IssueCodes } from './issue-codes.js';

/** Above this share of examples in singleton classes, a feature is reported as mostly unique. */
export const UNIQUE_SHARE_LIMIT = 0.5;

/** Evaluates each hypothesis's features on the dataset; warns on mostly-unique ones, errors on failing ones. */
export async function checkFeatureUniqueness(analysis: DocumentAnalysis, accept: ValidationAcceptor,
    token: Cancellation.CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
    for (const h of analysis.file.elements.filter(ast.isHypothesis)) {
        const table = await hypothesisFeatureValues(analysis, h, token);
        if (!table) continue;
        const nodes = resolveHypothesis(h).nodes;
        for (const [name, result] of table) {
            const decl = nodes.get(name);
            if (!decl || 'skipped' in result) continue;
            // Inherited nodes are reported in the hypothesis that declares them, unless they fail
            // only here (reading parents this hypothesis overrides).
            if (decl.$container !== h) {
                if ('error' in result && !('error' in ((await hypothesisFeatureValues(analysis, decl.$container, token))?.get(name) ?? {}))) {
                    accept('error', `the feature of ${name} (inherited from ${decl.$container.name}) fails here: ${result.error}`,
                        { node: h, property: 'name', code: IssueCodes.FeatureRuntime });
                }
                continue;
            }
            if ('error' in result) {
                accept('error', result.error, { node: decl, property: 'feature', code: IssueCodes.FeatureRuntime });
                continue;
            }
            const examples = result.values.length;
            const singletons = featureClasses(result.values).members.filter(m => m.length === 1).length;
            if (examples > 1 && singletons / examples > UNIQUE_SHARE_LIMIT) {
                const pct = Math.round((100 * singletons) / examples);
                accept('warning', `the feature of ${name} is unique for ${pct}% of the examples (${singletons} of ${examples}): resampling can only return the example itself, so this claim is not tested`,
                    { node: decl, property: 'feature', code: IssueCodes.FeatureMostlyUnique, data: { singletons, examples } });
            }
        }
    }
}
