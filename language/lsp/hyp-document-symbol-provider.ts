// The outline: the model and dataset (with its inputs), the graph's hook points with their parts,
// the metric, and each hypothesis with its I nodes and output.
import { GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import { namedParts } from '../lowering/lower-graph.js';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';

export class HypDocumentSymbolProvider implements DocumentSymbolProvider {
    getSymbols(document: LangiumDocument): DocumentSymbol[] {
        const file = document.parseResult.value as ast.HypFile;
        return file.elements.flatMap(e => this.element(e));
    }

    private element(e: ast.Element): DocumentSymbol[] {
        if (ast.isModelDecl(e)) return symbol(e, 'model', SymbolKind.File, e.path);
        if (ast.isFeaturesDecl(e)) return symbol(e, 'features', SymbolKind.Module, e.path);
        if (ast.isDatasetDecl(e)) {
            const inputs = e.members.filter(ast.isInputBinding).flatMap(b => symbol(b, b.name, SymbolKind.Field, 'input', 'name'));
            const labels = e.members.filter(ast.isLabelDecl).flatMap(l => symbol(l, 'label', SymbolKind.Field, l.field));
            return symbol(e, 'dataset', SymbolKind.File, e.path, undefined, [...inputs, ...labels]);
        }
        if (ast.isGraphDecl(e)) {
            const members = e.members.flatMap(m => ast.isHookPoint(m)
                ? symbol(m, m.name, SymbolKind.Class, `"${m.tensor}"`, 'name', parts(m.name, m.split))
                : symbol(m, 'input', SymbolKind.Class, 'split', undefined, parts('input', m.split)));
            return symbol(e, 'graph', SymbolKind.Namespace, undefined, undefined, members);
        }
        if (ast.isMetricDecl(e)) return symbol(e, 'metric', SymbolKind.Property, e.kind);
        if (ast.isHypothesis(e)) {
            const members = e.members.flatMap(m => ast.isInterpNode(m) ? symbol(m, m.name, SymbolKind.Variable, `-> ${m.target}`, 'name')
                : ast.isOutputStatement(m) ? symbol(m, 'output', SymbolKind.Event) : []);
            return symbol(e, e.name, SymbolKind.Class, e.base ? `extends ${e.base.$refText}` : undefined, 'name', members);
        }
        return [];
    }
}

function parts(owner: string, split: ast.Split | undefined): DocumentSymbol[] {
    return namedParts(split).flatMap(p => symbol(p, `${owner}.${p.name}`, SymbolKind.EnumMember, undefined, 'name'));
}

function symbol(node: AstNode, name: string, kind: SymbolKind, detail?: string, nameProperty?: string, children: DocumentSymbol[] = []): DocumentSymbol[] {
    const cst = node.$cstNode;
    if (!cst) return [];
    const selection = (nameProperty && GrammarUtils.findNodeForProperty(cst, nameProperty)) || cst;
    return [{ name: name || '?', kind, ...(detail !== undefined && { detail }), range: cst.range, selectionRange: selection.range, ...(children.length > 0 && { children }) }];
}
