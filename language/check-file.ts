// `hyp check`: parse, link and validate a .hyp file from disk (all validation categories, the
// slow ones included), evaluate the features that call the features module (check-user-features.ts),
// and lower it to a ScrubSpec when it has no errors.
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { resolve } from 'node:path';
import type { ScrubSpec } from '../engine/spec.js';
import type { GraphG } from '../engine/graph/types.js';
import { isHypError } from '../engine/errors.js';
import { isHypothesis, type HypFile } from './generated/ast.js';
import { createHypServices, type HypServices } from './hyp-module.js';
import { checkUserFeatures } from './check-user-features.js';
import { describePlanResult, hypothesisPlanSize } from './workspace/plan-size.js';
import { isExponential } from '../engine/plan/plan-size.js';
import type { LangiumSharedServices } from 'langium/lsp';
import type { ModelProber, PartPerturber } from './workspace/hyp-workspace-data.js';
import type { PartEvidence, PerturbBounds } from '../engine/graph/perturb-queries.js';

export interface FileDiagnostic {
    file: string;
    /** 1-based. */
    line: number;
    /** 1-based. */
    column: number;
    severity: 'error' | 'warning' | 'info';
    code: string;
    message: string;
}

export interface CheckResult {
    diagnostics: FileDiagnostic[];
    /** How many hypotheses the file declares. */
    hypotheses: number;
    /** Present only when no diagnostic is an error. */
    spec?: ScrubSpec;
    /** Per hypothesis, its plan's size from a probe plan (language/workspace/plan-size.ts); present with `spec`. */
    planSizes?: { hypothesis: string; text: string; exponential: boolean }[];
    /** The G the checks ran on (with the probe's shapes when a prober was given); present with `spec`. */
    g?: GraphG;
    /** The numeric pass's evidence, when the checks ran it (a perturber was given and a claim asked); present with `spec`. */
    numeric?: PartEvidence;
}

let services: { shared: LangiumSharedServices; Hyp: HypServices } | undefined;

/** Checks a .hyp file and, when it has no errors, lowers it; never throws for problems in the file. */
export async function checkHypFile(path: string, options: { prober?: ModelProber; perturber?: PartPerturber; perturbBounds?: Partial<PerturbBounds>; numericBudget?: number } = {}): Promise<CheckResult> {
    services ??= createHypServices(NodeFileSystem);
    const { shared, Hyp } = services;
    // Without one, G has the shapes the file declares (the services are shared by every call);
    // without a perturber, no numeric pass over part-level edges.
    Hyp.workspace.HypWorkspaceData.useProber(options.prober, options.perturber);
    Hyp.workspace.HypWorkspaceData.usePerturbBounds(options.perturbBounds, options.numericBudget);
    const file = resolve(path);
    const uri = URI.file(file);
    const documents = shared.workspace.LangiumDocuments;
    if (documents.hasDocument(uri)) await shared.workspace.DocumentBuilder.update([], [uri]);
    let document;
    try {
        document = await documents.getOrCreateDocument(uri);
    } catch (e) {
        return { diagnostics: [{ file, line: 1, column: 1, severity: 'error', code: 'file-unreadable', message: `cannot read ${file}: ${(e as Error).message}` }], hypotheses: 0 };
    }
    await shared.workspace.DocumentBuilder.build([document], { validation: true });
    // The probe for real shapes ran while that validation saw it pending: validate again with it;
    // that validation may start the numeric pass over part-level edges, which needs one more.
    for (let round = 0; round < 2 && await Hyp.workspace.HypWorkspaceData.settled(); round++) {
        await shared.workspace.DocumentBuilder.update([uri], []);
        document = await documents.getOrCreateDocument(uri);
        await shared.workspace.DocumentBuilder.build([document], { validation: true });
    }
    const diagnostics: FileDiagnostic[] = (document.diagnostics ?? []).map(d => ({
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'info',
        code: String(d.code ?? (d.data as { code?: string } | undefined)?.code ?? 'syntax'),
        message: typeof d.message === 'string' ? d.message : d.message.value,
    }));
    diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    const hypotheses = (document.parseResult.value as HypFile).elements?.filter(isHypothesis).length ?? 0;
    // The next check of the same path must read it afresh.
    await shared.workspace.DocumentBuilder.update([], [uri]);
    if (diagnostics.some(d => d.severity === 'error')) return { diagnostics, hypotheses };
    let spec: ScrubSpec;
    try {
        spec = Hyp.lowering.HypLowering.lower(document);
    } catch (e) {
        if (!isHypError(e)) throw e;
        return { diagnostics: [...diagnostics, { file, line: 1, column: 1, severity: 'error', code: e.code, message: e.message }], hypotheses };
    }
    // What the editor leaves out: features that call the features module, run as a scrub runs them.
    const analysis = Hyp.workspace.HypDocumentAnalysis.analyze(document);
    const problems = await checkUserFeatures(document, analysis, spec);
    if (problems.length > 0) return { diagnostics: [...diagnostics, ...problems.map(p => ({ file, severity: 'error' as const, ...p }))], hypotheses };
    const planSizes = await Promise.all((document.parseResult.value as HypFile).elements.filter(isHypothesis).map(async h => {
        const result = await hypothesisPlanSize(analysis, h);
        return { hypothesis: h.name, text: describePlanResult(result), exponential: 'size' in result && isExponential(result.size) };
    }));
    const numeric = analysis.numericEvidence?.(false);
    return { diagnostics, hypotheses, spec, planSizes, ...(analysis.derived && { g: analysis.derived.g }), ...(numeric && { numeric }) };
}
