// The code lens over each hypothesis: `▶ Scrub`; while it runs `Scrubbing… 37%` and `■ Cancel`;
// then the loss recovered with its CI (a click opens the result view) and `↻ Rerun`; a result
// whose inputs changed since is marked stale. The commands (HypCommands) are the VS Code
// extension's there, and the server's (workspace/executeCommand) for any other client, whose
// titles go without VS Code's `$(icon)` codicons. In VS Code, `◇ Graph` opens the drawing.
import { DocumentState, type LangiumDocument } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import { HypCommands } from '../communication/rpc.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { describeResult, type HypothesisScrubState, type HypScrubStatus } from './scrub-status.js';
import type { HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { cachedPlanSize, describePlanResult } from '../workspace/plan-size.js';

/** The lens that opens a hypothesis's drawing beside the editor. */
export const GRAPH_LENS = '◇ Graph';

export class HypCodeLensProvider implements CodeLensProvider {
    private readonly status: HypScrubStatus;
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        this.status = services.scrub.HypScrubStatus;
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    async provideCodeLens(document: LangiumDocument, _params: CodeLensParams): Promise<CodeLens[]> {
        const file = document.parseResult.value as ast.HypFile;
        const hypotheses = file.elements.filter(ast.isHypothesis);
        if (hypotheses.length === 0) return [];
        const states = await this.status.states(document);
        const analysis = document.state >= DocumentState.IndexedReferences ? this.analysis.analyze(document) : undefined;
        const uri = document.uri.toString();
        return hypotheses.flatMap(h => {
            const start = h.$cstNode?.range.start;
            if (!start || !h.name) return [];
            const range = { start, end: start };
            // The plan's size on the lenses that start a scrub, when the slow checks have estimated it.
            const plan = analysis && cachedPlanSize(analysis, h);
            const tooltip = plan && describePlanResult(plan);
            const lenses = lensTitles(states.get(h.name) ?? { kind: 'idle' }).map(([title, command, extra]): CodeLens => ({
                range,
                command: {
                    title: this.status.vscodeExtension ? title : withoutCodicons(title), command, arguments: [{ uri, hypothesis: h.name, ...extra }],
                    ...(tooltip && command === HypCommands.scrub ? { tooltip } : {}),
                },
            }));
            // The drawing opens in the VS Code extension's webview; other clients have no such view.
            if (this.status.vscodeExtension) lenses.push({ range, command: { title: GRAPH_LENS, command: HypCommands.showHypothesisGraph, arguments: [{ uri, hypothesis: h.name }] } });
            return lenses;
        });
    }
}

/** The lenses of one hypothesis as (title, command, extra arguments), in display order. */
export function lensTitles(state: HypothesisScrubState): [string, string, Record<string, unknown>?][] {
    switch (state.kind) {
        case 'idle':
            return [['▶ Scrub', HypCommands.scrub]];
        case 'queued':
            return [['$(clock) Queued', HypCommands.showLog], ['■ Cancel', HypCommands.cancel]];
        case 'running':
            return [[`$(sync~spin) Scrubbing… ${Math.floor(100 * state.fraction)}%`, HypCommands.showLog], ['■ Cancel', HypCommands.cancel]];
        case 'done':
            return state.stale
                ? [[`$(history) stale: ${describeResult(state.summary)}`, HypCommands.showResult], ['▶ Scrub', HypCommands.scrub]]
                : [[describeResult(state.summary), HypCommands.showResult], ['↻ Rerun', HypCommands.scrub, { rerun: true }]];
        case 'failed':
            return [[`$(error) scrub failed: ${shorten(state.message, 80)}`, HypCommands.showLog], ['↻ Retry', HypCommands.scrub, { rerun: true }]];
    }
}

/** `$(sync~spin) Scrubbing… 37%` → `Scrubbing… 37%`: the title as a client without codicons shows it. */
export function withoutCodicons(title: string): string {
    return title.replace(/\$\([\w~-]+\)\s*/g, '');
}

function shorten(text: string, max: number): string {
    const line = text.split('\n')[0];
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
