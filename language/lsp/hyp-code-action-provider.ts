// Quick fixes, each for the diagnostic code it names: replace an unknown name by the suggested one
// (tensors, G nodes, inputs), add a missing I-parent that a feature reads, remove an unused hook.
// In a hypothesis, for clients other than the VS Code extension, the commands of its code lenses
// as source actions too (Helix and Emacs's eglot show no code lenses but do show code actions);
// for every client, the exploration commands: find a smaller circuit from it, challenge it.
import { AstUtils, CstUtils, type LangiumDocument } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { ExploreCommands } from '../communication/explore-commands.js';
import { HypCommands, type LensCommandArgs } from '../communication/rpc.js';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { parentName, resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import { IssueCodes } from '../validation/issue-codes.js';
import type { HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { lensTitles } from './hyp-code-lens-provider.js';
import type { HypScrubStatus } from './scrub-status.js';

/** The kind of the scrub actions (a source action: it changes no text). */
export const SCRUB_ACTION_KIND = `${CodeActionKind.Source}.hyp.scrub`;

const SUGGESTIONS = new Set<string>([IssueCodes.TensorUnknown, IssueCodes.TensorNotPerExample, IssueCodes.TensorNotFinite, IssueCodes.GraphNodeUnknown, IssueCodes.InputUnknown]);

export class HypCodeActionProvider implements CodeActionProvider {
    private readonly analysis: HypDocumentAnalysis;
    private readonly status: HypScrubStatus;

    constructor(services: HypServices) {
        this.analysis = services.workspace.HypDocumentAnalysis;
        this.status = services.scrub.HypScrubStatus;
    }

    async getCodeActions(document: LangiumDocument, params: CodeActionParams): Promise<CodeAction[]> {
        const actions: CodeAction[] = [];
        for (const diagnostic of params.context.diagnostics) {
            const code = String(diagnostic.code);
            if (SUGGESTIONS.has(code)) actions.push(...this.replaceBySuggestion(document, diagnostic));
            else if (code === IssueCodes.FeatureUnknownName) actions.push(...this.addParent(document, diagnostic));
            else if (code === IssueCodes.HookUnused) actions.push(...this.removeHook(document, diagnostic));
        }
        const only = params.context.only;
        if (!only || only.some(k => SCRUB_ACTION_KIND.startsWith(k))) actions.push(...await this.scrubActions(document, params));
        return actions;
    }

    /** The lens commands of the hypothesis at the start of the range, the exploration commands, then "scrub every hypothesis". */
    private async scrubActions(document: LangiumDocument, params: CodeActionParams): Promise<CodeAction[]> {
        const root = document.parseResult.value.$cstNode;
        const offset = document.textDocument.offsetAt(params.range.start);
        const leaf = root && (CstUtils.findLeafNodeAtOffset(root, offset) ?? CstUtils.findLeafNodeBeforeOffset(root, offset));
        const hypothesis = leaf && AstUtils.getContainerOfType(leaf.astNode, ast.isHypothesis);
        if (!hypothesis?.name) return [];
        const uri = document.uri.toString();
        const action = (title: string, command: string, args: LensCommandArgs): CodeAction =>
            ({ title, kind: SCRUB_ACTION_KIND, command: { title, command, arguments: [args] } });
        const explore = [
            action('Find a smaller circuit from here', ExploreCommands.discover, { uri, hypothesis: hypothesis.name }),
            action('Challenge this hypothesis', ExploreCommands.challenge, { uri, hypothesis: hypothesis.name }),
        ];
        // The VS Code extension has the lens commands as lenses; the exploration commands it forwards to the server (client/commands.ts).
        if (this.status.vscodeExtension) return explore;
        const state = (await this.status.states(document)).get(hypothesis.name) ?? { kind: 'idle' };
        const own = lensTitles(state).map(([, command, extra]) => {
            const args = { uri, hypothesis: hypothesis.name, ...extra } as LensCommandArgs;
            return action(scrubActionTitle(command, hypothesis.name, args.rerun === true), command, args);
        });
        return [...own, ...explore, action('Scrub every hypothesis of this file', HypCommands.scrubAll, { uri })];
    }

    private replaceBySuggestion(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
        const suggestion = (diagnostic.data as { suggestion?: unknown } | undefined)?.suggestion;
        if (typeof suggestion !== 'string') return [];
        const old = document.textDocument.getText(diagnostic.range);
        const quote = /^["']/.exec(old)?.[0];
        const newText = quote ? `${quote}${suggestion}${quote}` : suggestion;
        return [fix(`Replace by "${suggestion}"`, diagnostic, document, [{ range: diagnostic.range, newText }], true)];
    }

    /** A feature reads an I node (or input part) that is not its I-parent: add it after `<-`. */
    private addParent(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
        const name = document.textDocument.getText(diagnostic.range);
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start));
        const node = leaf && AstUtils.getContainerOfType(leaf.astNode, ast.isInterpNode);
        if (!node?.$cstNode) return [];
        const isInput = name === 'input' || name.startsWith('input.');
        const analysis = this.analysis.analyze(document);
        if (isInput ? !analysis.graphNodes.has(name) : !resolveHypothesis(node.$container).nodes.has(name)) return [];
        if (node.parents.some(p => parentName(p) === name)) return [];
        const end = node.$cstNode.range.end;
        const newText = node.parents.length > 0 ? `, ${name}` : ` <- ${name}`;
        return [fix(`Add ${name} as an I-parent of ${node.name}`, diagnostic, document, [{ range: { start: end, end }, newText }], true)];
    }

    /** An unused hook point: delete its declaration (its whole line when it is alone there). */
    private removeHook(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start));
        const hook = leaf && AstUtils.getContainerOfType(leaf.astNode, ast.isHookPoint);
        if (!hook?.$cstNode) return [];
        const text = document.textDocument.getText();
        let start = hook.$cstNode.offset;
        let end = hook.$cstNode.end;
        const lineStart = text.lastIndexOf('\n', start - 1) + 1;
        let lineEnd = text.indexOf('\n', end);
        if (lineEnd < 0) lineEnd = text.length;
        const restOfLine = text.slice(end, lineEnd);
        // Keep a trailing comment's line intact only when code follows; a comment about the hook goes with it.
        if (text.slice(lineStart, start).trim() === '' && (restOfLine.trim() === '' || restOfLine.trim().startsWith('//'))) {
            start = lineStart;
            end = Math.min(text.length, lineEnd + 1);
        }
        const range = { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) };
        return [fix(`Remove the unused hook point ${hook.name}`, diagnostic, document, [{ range, newText: '' }], false)];
    }
}

/** What a lens command does, said as an action on the hypothesis. */
function scrubActionTitle(command: string, hypothesis: string, rerun: boolean): string {
    switch (command) {
        case HypCommands.scrub: return rerun ? `Scrub ${hypothesis} again` : `Scrub ${hypothesis}`;
        case HypCommands.cancel: return `Cancel scrubbing ${hypothesis}`;
        case HypCommands.showResult: return `Show the scrub result of ${hypothesis}`;
        default: return 'Show the scrub worker log';
    }
}

function fix(title: string, diagnostic: Diagnostic, document: LangiumDocument, edits: TextEdit[], preferred: boolean): CodeAction {
    return {
        title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred,
        edit: { changes: { [document.uri.toString()]: edits } },
    };
}
