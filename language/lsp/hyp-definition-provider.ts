// Go to definition for I nodes, G nodes (hook points and parts), hypotheses, dataset fields (the
// field in the dataset's first row) and features-module functions (their export).
import { readFileSync } from 'node:fs';
import { GrammarUtils, URI, type LangiumDocument } from 'langium';
import type { DefinitionProvider } from 'langium/lsp';
import { LocationLink, type DefinitionParams, type Range } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { graphNodeDeclaration, type HypSymbol, type HypSymbols } from '../scoping/hyp-symbols.js';
import type { HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';

export class HypDefinitionProvider implements DefinitionProvider {
    private readonly symbols: HypSymbols;
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        this.symbols = services.references.HypSymbols;
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    getDefinition(document: LangiumDocument, params: DefinitionParams): LocationLink[] | undefined {
        const at = this.symbols.symbolAt(document, document.textDocument.offsetAt(params.position));
        if (!at) return undefined;
        const target = this.target(document, at.symbol);
        return target && [LocationLink.create(target.uri, target.range, target.range, at.range)];
    }

    private target(document: LangiumDocument, symbol: HypSymbol): { uri: string; range: Range } | undefined {
        const here = (node: ast.InterpNode | ast.Hypothesis | ast.HookPoint | ast.IndexPart | ast.PredicatePart | ast.InputSplit | undefined, property = 'name') => {
            const cst = node && (GrammarUtils.findNodeForProperty(node.$cstNode, property) ?? node.$cstNode);
            return cst && { uri: document.uri.toString(), range: cst.range };
        };
        const file = document.parseResult.value as ast.HypFile;
        switch (symbol.kind) {
            case 'interp': return here(symbol.declaration);
            case 'hypothesis': return here(symbol.declaration);
            case 'graph': {
                const decl = graphNodeDeclaration(file, symbol.name);
                return here(decl as ast.HookPoint | ast.IndexPart | ast.InputSplit | undefined, ast.isInputSplit(decl) ? 'split' : 'name');
            }
            case 'field': {
                const dataset = this.analysis.analyze(document).dataset?.loaded;
                if (!dataset?.ok) return undefined;
                return locateInFile(dataset.path, dataset.value.rowLines[0] - 1, JSON.stringify(symbol.name));
            }
            case 'function': {
                const features = this.analysis.analyze(document).features?.loaded;
                if (!features?.ok) return undefined;
                return locateExport(features.path, symbol.name);
            }
        }
    }
}

/** The first occurrence of `needle` on a line of a file (the file's start when absent). */
function locateInFile(path: string, line: number, needle: string): { uri: string; range: Range } | undefined {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch {
        return undefined;
    }
    const lineText = text.split('\n')[line] ?? '';
    const character = Math.max(0, lineText.indexOf(needle));
    return { uri: URI.file(path).toString(), range: { start: { line, character }, end: { line, character: character + needle.length } } };
}

/** Where a module exports a name: its declaration or its entry in an export list. */
function locateExport(path: string, name: string): { uri: string; range: Range } | undefined {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch {
        return undefined;
    }
    const patterns = [new RegExp(`export\\s+(?:async\\s+)?(?:function\\s*\\*?|const|let|var|class)\\s+(${name})\\b`), new RegExp(`export\\s*\\{[^}]*\\b(${name})\\b`)];
    for (const re of patterns) {
        const m = re.exec(text);
        if (!m) continue;
        const offset = m.index + m[0].lastIndexOf(name);
        const before = text.slice(0, offset).split('\n');
        const line = before.length - 1;
        const character = before[before.length - 1].length;
        return { uri: URI.file(path).toString(), range: { start: { line, character }, end: { line, character: character + name.length } } };
    }
    return { uri: URI.file(path).toString(), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}
