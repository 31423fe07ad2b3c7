// Inlay hints after each I node of a scrubbed hypothesis: that node's own effect, the loss
// recovered when only its claim is scrubbed (every other node computed on its child's example).
// They exist only when the `hyp.inlayHints.nodeEffects` setting made the server compute them.
import type { LangiumDocument } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { percent, type HypScrubStatus } from './scrub-status.js';

export class HypInlayHintProvider implements InlayHintProvider {
    private readonly status: HypScrubStatus;

    constructor(services: HypServices) {
        this.status = services.scrub.HypScrubStatus;
    }

    async getInlayHints(document: LangiumDocument, params: InlayHintParams): Promise<InlayHint[]> {
        const file = document.parseResult.value as ast.HypFile;
        const states = await this.status.states(document);
        const hints: InlayHint[] = [];
        for (const h of file.elements.filter(ast.isHypothesis)) {
            const state = states.get(h.name);
            if (state?.kind !== 'done' || state.stale || !state.nodeEffects) continue;
            for (const node of h.members.filter(ast.isInterpNode)) {
                const effect = state.nodeEffects[node.name];
                const end = node.$cstNode?.range.end;
                if (!effect || !end || end.line < params.range.start.line || end.line > params.range.end.line) continue;
                hints.push({
                    position: end,
                    label: `alone ${percent(effect.lossRecovered)}`,
                    kind: InlayHintKind.Type,
                    paddingLeft: true,
                    tooltip: `Loss recovered when only ${node.name}'s claim is scrubbed: ${percent(effect.lossRecovered)} (95% CI ${percent(effect.ci95[0])}–${percent(effect.ci95[1])}).`,
                });
            }
        }
        return hints;
    }
}
