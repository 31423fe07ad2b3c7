import { describe, expect, it } from 'vitest';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { ExploreCommands } from '../../language/communication/explore-commands.js';
import { HypCommands } from '../../language/communication/rpc.js';
import { SCRUB_ACTION_KIND } from '../../language/lsp/hyp-code-action-provider.js';
import { parse, services, TOY_HEADER, toyUri, validateMarked } from './helpers.js';

/** Validates `text`, takes the first diagnostic with `code`, applies the quick fix for it and returns the new text. */
async function quickFix(text: string, code: string): Promise<{ title: string; text: string }> {
    const m = await validateMarked(text);
    const document = m.result.document;
    const diagnostic = m.result.diagnostics.find(d => d.code === code) as Diagnostic;
    expect(diagnostic, `no ${code} in ${JSON.stringify(m.result.diagnostics.map(d => d.code))}`).toBeDefined();
    const actions = await services.lsp.CodeActionProvider!.getCodeActions(document, {
        textDocument: { uri: document.uri.toString() }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: [CodeActionKind.QuickFix] },
    }) as CodeAction[];
    expect(actions).toHaveLength(1);
    expect(actions[0].diagnostics).toEqual([diagnostic]);
    const edits = actions[0].edit!.changes![document.uri.toString()] as TextEdit[];
    return { title: actions[0].title, text: TextDocument.applyEdits(document.textDocument, edits) };
}

describe('quick fixes', () => {
    it('replaces an unknown tensor by the suggestion', async () => {
        const text = TOY_HEADER.replace('node B = "B"', 'node B = "b"');
        const fixed = await quickFix(text, IssueCodes.TensorUnknown);
        expect(fixed.title).toBe('Replace by "B"');
        expect(fixed.text).toBe(TOY_HEADER);
    });

    it('replaces an unknown G node by the suggestion', async () => {
        const text = `${TOY_HEADER}hypothesis h { node a -> Aa = z[0] > 3 <- input.z1 output }`;
        const fixed = await quickFix(text, IssueCodes.GraphNodeUnknown);
        expect(fixed.text).toBe(text.replace('-> Aa', '-> A'));
    });

    it('adds a missing I-parent that the feature reads', async () => {
        const text = `${TOY_HEADER}hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a
    output <- d
}`;
        const fixed = await quickFix(text, IssueCodes.FeatureUnknownName);
        expect(fixed.title).toBe('Add b as an I-parent of d');
        expect(fixed.text).toBe(text.replace('D = a or b <- a', 'D = a or b <- a, b'));
    });

    it('adds `<- input.z1` to a node without parents whose feature reads the input part', async () => {
        const text = `${TOY_HEADER}hypothesis h {
    node a -> A = input.z1[0] > 3
    output
}`;
        const fixed = await quickFix(text, IssueCodes.FeatureUnknownName);
        expect(fixed.text).toBe(text.replace('input.z1[0] > 3', 'input.z1[0] > 3 <- input.z1'));
    });

    it('removes an unused hook point with its line', async () => {
        const text = `${TOY_HEADER}hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node b -> B = z[1] > 3 <- input.z2
    node d -> D = a or b <- a, b
    output <- d
}`;
        const fixed = await quickFix(text, IssueCodes.HookUnused);
        expect(fixed.title).toBe('Remove the unused hook point C');
        expect(fixed.text).toBe(text.replace('    node C = "C"\n', ''));
    });
});

describe('scrub actions, for editors without code lenses', () => {
    const text = `${TOY_HEADER}hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    output <- a
}
`;
    const actionsAt = async (at: string, only?: string[]) => {
        const document = await parse(text, { documentUri: toyUri() });
        const position = document.textDocument.positionAt(text.indexOf(at));
        return await services.lsp.CodeActionProvider!.getCodeActions(document, {
            textDocument: { uri: document.uri.toString() }, range: { start: position, end: position }, context: { diagnostics: [], ...(only && { only }) },
        }) as CodeAction[];
    };

    it('inside a hypothesis: its lens commands, the exploration commands, then scrub every hypothesis of the file', async () => {
        const actions = await actionsAt('node a');
        const uri = (actions[0].command!.arguments![0] as { uri: string }).uri;
        expect(actions).toEqual([
            { title: 'Scrub h', kind: SCRUB_ACTION_KIND, command: { title: 'Scrub h', command: HypCommands.scrub, arguments: [{ uri, hypothesis: 'h' }] } },
            { title: 'Find a smaller circuit from here', kind: SCRUB_ACTION_KIND, command: { title: 'Find a smaller circuit from here', command: ExploreCommands.discover, arguments: [{ uri, hypothesis: 'h' }] } },
            { title: 'Challenge this hypothesis', kind: SCRUB_ACTION_KIND, command: { title: 'Challenge this hypothesis', command: ExploreCommands.challenge, arguments: [{ uri, hypothesis: 'h' }] } },
            { title: 'Scrub every hypothesis of this file', kind: SCRUB_ACTION_KIND, command: { title: 'Scrub every hypothesis of this file', command: HypCommands.scrubAll, arguments: [{ uri }] } },
        ]);
        expect(await actionsAt('hypothesis h', [CodeActionKind.Source])).toHaveLength(4);
    });

    it('none outside a hypothesis or when only other kinds are asked for; for the VS Code extension (its lenses scrub) the exploration commands alone', async () => {
        expect(await actionsAt('metric')).toEqual([]);
        expect(await actionsAt('node a', [CodeActionKind.QuickFix])).toEqual([]);
        services.scrub.HypScrubStatus.vscodeExtension = true;
        try {
            expect((await actionsAt('node a')).map(a => a.command?.command)).toEqual([ExploreCommands.discover, ExploreCommands.challenge]);
            expect(await actionsAt('metric')).toEqual([]);
        } finally {
            services.scrub.HypScrubStatus.vscodeExtension = false;
        }
    });
});
