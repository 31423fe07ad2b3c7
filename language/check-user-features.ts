// `hyp check` only (the language server never runs user code): features that call functions of the
// features module, which the slow checks leave out, evaluated on every dataset row with the
// engine's own evaluation, as a scrub will. A module that cannot be imported is reported on its
// declaration, a feature that fails on the node that declares it, with the dataset's file:line.
import type { LangiumDocument } from 'langium';
import { HypError, isHypError } from '../engine/errors.js';
import { evaluateFeatures, FeatureError } from '../engine/features/feature-table.js';
import { loadFeatureFunctions } from '../engine/features/features-module.js';
import type { ScrubSpec } from '../engine/spec.js';
import * as ast from './generated/ast.js';
import { resolveHypothesis } from './lowering/resolve-hypothesis.js';
import { IssueCodes } from './validation/issue-codes.js';
import { documentInputs } from './workspace/document-inputs.js';
import type { DocumentAnalysis } from './workspace/hyp-document-analysis.js';
import { callsUserFunction } from './workspace/user-functions.js';

/** A problem found here, at a 1-based line and column of the .hyp file. */
export interface UserFeatureProblem {
    line: number;
    column: number;
    code: string;
    message: string;
}

/** Imports the features module and evaluates every hypothesis that calls it; one problem per hypothesis at most (the first failure). */
export async function checkUserFeatures(document: LangiumDocument, analysis: DocumentAnalysis, spec: ScrubSpec): Promise<UserFeatureProblem[]> {
    const file = document.parseResult.value as ast.HypFile;
    const callers = spec.hypotheses.filter(h => h.nodes.some(n => n.feature !== null && callsUserFunction(n.feature)));
    const dataset = analysis.dataset;
    if (!spec.featuresModule || callers.length === 0 || !dataset?.loaded?.ok) return [];
    const at = (node: { $cstNode?: { range: { start: { line: number; character: number } } } } | undefined) =>
        ({ line: (node?.$cstNode?.range.start.line ?? 0) + 1, column: (node?.$cstNode?.range.start.character ?? 0) + 1 });
    let functions;
    try {
        functions = await loadFeatureFunctions(spec.featuresModule);
    } catch (e) {
        if (!isHypError(e)) throw e;
        return [{ ...at(file.elements.find(ast.isFeaturesDecl)), code: IssueCodes.FeaturesUnreadable, message: e.message }];
    }
    const { rows, rowLines } = dataset.loaded.value;
    const inputs = documentInputs(analysis);
    const problems: UserFeatureProblem[] = [];
    const seen = new Set<string>();
    for (const h of callers) {
        const decl = file.elements.filter(ast.isHypothesis).find(x => x.name === h.name);
        try {
            evaluateFeatures(h, rows, {
                functions,
                ...(inputs?.ok && {
                    inputPart: (part: string, row: number) => {
                        const v = inputs.partValue(part, row);
                        if (v === undefined) throw new HypError(`the value of ${part} is not known here`, 'feature-input-part');
                        return v;
                    },
                }),
            });
        } catch (e) {
            if (!isHypError(e)) throw e;
            if (!(e instanceof FeatureError)) {
                problems.push({ ...at(decl), code: IssueCodes.FeatureRuntime, message: `the features of hypothesis ${h.name} cannot be evaluated: ${e.message}` });
                continue;
            }
            const node = decl && resolveHypothesis(decl).nodes.get(e.node);
            const where = at(node?.feature ?? decl);
            // An inherited node that fails as it does where it is declared is reported there only.
            const key = `${where.line}:${where.column}:${e.row}:${e.reason}`;
            if (seen.has(key)) continue;
            seen.add(key);
            problems.push({
                ...where,
                code: IssueCodes.FeatureRuntime,
                message: `${node?.$container !== decl ? `in hypothesis ${h.name}, ` : ''}this feature fails on dataset row ${e.row + 1} (${dataset.decl.path}:${rowLines[e.row]}): ${e.reason}`,
            });
        }
    }
    return problems;
}
