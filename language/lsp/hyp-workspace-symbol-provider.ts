// Workspace symbols: the hypotheses, hook points (and their parts) and I nodes of every document
// the server holds. Each .hyp file exports nothing (hyp-scope-computation.ts), so Langium's index
// is empty and its default provider finds nothing: we walk the documents instead. The kinds are
// the outline's; the container says where a name lives (the graph, a hook point, a hypothesis).
import { GrammarUtils, interruptAndCheck, type AstNode, type Cancellation, type LangiumDocuments } from 'langium';
import { namedParts } from '../lowering/lower-graph.js';
import type { FuzzyMatcher, LangiumSharedServices, WorkspaceSymbolProvider } from 'langium/lsp';
import { SymbolKind, type WorkspaceSymbol, type WorkspaceSymbolParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';

export class HypWorkspaceSymbolProvider implements WorkspaceSymbolProvider {
    private readonly documents: LangiumDocuments;
    private readonly fuzzyMatcher: FuzzyMatcher;

    constructor(services: LangiumSharedServices) {
        this.documents = services.workspace.LangiumDocuments;
        this.fuzzyMatcher = services.lsp.FuzzyMatcher;
    }

    async getSymbols(params: WorkspaceSymbolParams, token?: Cancellation.CancellationToken): Promise<WorkspaceSymbol[]> {
        const found: WorkspaceSymbol[] = [];
        for (const document of this.documents.all.toArray().sort((a, b) => a.uri.toString().localeCompare(b.uri.toString()))) {
            if (token) await interruptAndCheck(token);
            const file = document.parseResult.value;
            if (!ast.isHypFile(file)) continue;
            const uri = document.uri.toString();
            for (const s of fileSymbols(file)) {
                if (!this.matches(params.query, s)) continue;
                const cst = s.node.$cstNode;
                const name = cst && (GrammarUtils.findNodeForProperty(cst, 'name') ?? cst);
                if (!name) continue;
                found.push({ name: s.name, kind: s.kind, ...(s.container && { containerName: s.container }), location: { uri, range: name.range } });
            }
        }
        return found;
    }

    /** Fuzzy (Langium's matcher: `cor` finds `correct`, `onlyb` finds `only_b`), or a substring; a query with a dot also matches `container.name`. */
    private matches(query: string, s: FileSymbol): boolean {
        const q = query.toLowerCase();
        if (this.fuzzyMatcher.match(query, s.name) || s.name.toLowerCase().includes(q)) return true;
        return q.includes('.') && s.container !== undefined && `${s.container}.${s.name}`.toLowerCase().includes(q);
    }
}

interface FileSymbol {
    name: string;
    kind: SymbolKind;
    container?: string;
    node: AstNode;
}

/** The named declarations of one file, in text order. */
function fileSymbols(file: ast.HypFile): FileSymbol[] {
    return file.elements.flatMap((e): FileSymbol[] => {
        if (ast.isGraphDecl(e)) {
            return e.members.flatMap(m => {
                const owner = ast.isHookPoint(m) ? m.name : 'input';
                const parts = namedParts(m.split).filter(p => p.name).map(p => ({ name: `${owner}.${p.name}`, kind: SymbolKind.EnumMember, container: owner, node: p }));
                return ast.isHookPoint(m) && m.name ? [{ name: m.name, kind: SymbolKind.Class, container: 'graph', node: m }, ...parts] : parts;
            });
        }
        if (ast.isHypothesis(e) && e.name) {
            const nodes = e.members.filter(ast.isInterpNode).filter(n => n.name)
                .map(n => ({ name: n.name, kind: SymbolKind.Variable, container: e.name, node: n }));
            return [{ name: e.name, kind: SymbolKind.Class, node: e }, ...nodes];
        }
        return [];
    });
}
