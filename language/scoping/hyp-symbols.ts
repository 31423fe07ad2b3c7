// Names that are not Langium cross-references: G node names after `->` (a hook `A`, a part
// `R.h0`), input parts, names inside feature expressions (I-parents, dataset fields, functions).
// They stay plain strings in the grammar because a G node is only known once the model is read
// and a field only once the dataset is; this service finds which symbol a position denotes and
// every occurrence of it, for definition, references, highlights and rename.
import { AstUtils, CstUtils, GrammarUtils, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { namedParts } from '../lowering/lower-graph.js';
import type { Range } from 'vscode-languageserver-types';
import * as ast from '../generated/ast.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';

/** What a name denotes. I nodes of one `extends` family with one name are one symbol: an override replaces by name. */
export type HypSymbol =
    | { kind: 'interp'; name: string; family: readonly ast.Hypothesis[]; declaration?: ast.InterpNode }
    | { kind: 'graph'; name: string }
    | { kind: 'field'; name: string }
    | { kind: 'function'; name: string }
    | { kind: 'hypothesis'; name: string; declaration?: ast.Hypothesis };

export interface Occurrence {
    range: Range;
    /** The name where the symbol is declared (a hook, a part, an I node, a hypothesis). */
    declaration: boolean;
}

export interface SymbolAt {
    symbol: HypSymbol;
    /** The range of the name under the position. */
    range: Range;
}

export class HypSymbols {
    /** The symbol named at an offset of the document, if any. */
    symbolAt(document: LangiumDocument, offset: number): SymbolAt | undefined {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findDeclarationNodeAtOffset(root, offset, /\w/);
        if (!leaf || leaf.hidden) return undefined;
        const node = leaf.astNode;
        const at = (symbol: HypSymbol, cst: CstNode | undefined = leaf): SymbolAt | undefined => cst && { symbol, range: cst.range };
        const in_ = (property: string) => isWithin(leaf, GrammarUtils.findNodeForProperty(node.$cstNode, property));

        if (ast.isInterpNode(node)) {
            if (in_('name')) return at(interpSymbol(node.$container, node.name, node));
            if (in_('target')) {
                const segment = targetSegments(node).find(s => isWithin(leaf, s.cst));
                return segment && at({ kind: 'graph', name: segment.name }, segment.cst);
            }
        }
        if (ast.isNodeParentRef(node)) {
            const h = AstUtils.getContainerOfType(node, ast.isHypothesis);
            return h && at(interpSymbol(h, node.node.$refText, node.node.ref));
        }
        if (ast.isInputParentRef(node) || ast.isInputRef(node)) {
            // In `input.z1` only `z1` names the part; `input` (and the dot) name the input.
            const part = inputNameCst(node);
            if (node.part !== undefined && part && isWithin(leaf, part)) return at({ kind: 'graph', name: `input.${node.part}` }, part);
            return at({ kind: 'graph', name: 'input' });
        }
        if (ast.isNameRef(node)) {
            const symbol = nameRefSymbol(node);
            return symbol.kind === 'local' ? undefined : at(symbol);
        }
        if (ast.isCallExpr(node) && in_('callee')) return at({ kind: 'function', name: node.callee });
        if ((ast.isLabelDecl(node) || ast.isMetricDecl(node)) && in_('field') && node.field !== undefined) return at({ kind: 'field', name: node.field });
        if (ast.isHookPoint(node) && in_('name')) return at({ kind: 'graph', name: node.name });
        if ((ast.isIndexPart(node) || ast.isPredicatePart(node) || ast.isSubspacePart(node)) && in_('name')) {
            const owner = node.$container.$container;
            return at({ kind: 'graph', name: `${ast.isHookPoint(owner) ? owner.name : 'input'}.${node.name}` });
        }
        if (ast.isThroughSplit(node) && in_('source') && node.source !== undefined) return at({ kind: 'graph', name: node.source });
        if (ast.isHypothesis(node)) {
            if (in_('name')) return at({ kind: 'hypothesis', name: node.name, declaration: node });
            if (in_('base') && node.base) return at({ kind: 'hypothesis', name: node.base.$refText, declaration: node.base.ref });
        }
        return undefined;
    }

    /** Every occurrence of a symbol in the document, in text order. */
    occurrences(document: LangiumDocument, symbol: HypSymbol): Occurrence[] {
        const file = document.parseResult.value as ast.HypFile;
        const out: Occurrence[] = [];
        // The parts of `O split through Z` are named after Z's: a part of Z is also named by O's.
        const alsoNamed = new Set([symbol.name]);
        if (symbol.kind === 'graph') {
            const [head, part] = symbol.name.split('.', 2);
            for (const h of file.elements.filter(ast.isGraphDecl).flatMap(g => g.members).filter(ast.isHookPoint)) {
                if (part !== undefined && ast.isThroughSplit(h.split) && h.split.source === head) alsoNamed.add(`${h.name}.${part}`);
            }
        }
        const push = (cst: CstNode | undefined, declaration = false) => {
            if (cst) out.push({ range: cst.range, declaration });
        };
        for (const node of AstUtils.streamAst(file)) {
            switch (symbol.kind) {
                case 'interp':
                    if (ast.isInterpNode(node) && node.name === symbol.name && symbol.family.includes(node.$container)) {
                        push(GrammarUtils.findNodeForProperty(node.$cstNode, 'name'), true);
                    } else if (ast.isNodeParentRef(node) && node.node.$refText === symbol.name && inFamily(node, symbol.family)) {
                        push(node.$cstNode);
                    } else if (ast.isNameRef(node) && inFamily(node, symbol.family)) {
                        const s = nameRefSymbol(node);
                        if (s.kind === 'interp' && s.name === symbol.name) push(node.$cstNode);
                    }
                    break;
                case 'graph':
                    if (ast.isInterpNode(node)) {
                        const segments = targetSegments(node);
                        const depth = symbol.name.split('.').length;
                        const segment = segments[depth - 1];
                        if (segment !== undefined && alsoNamed.has(segment.name)) push(segment.cst);
                    } else if ((ast.isInputParentRef(node) || ast.isInputRef(node)) && inputName(node) === symbol.name) {
                        push(inputNameCst(node));
                    } else if (ast.isHookPoint(node) && node.name === symbol.name) {
                        push(GrammarUtils.findNodeForProperty(node.$cstNode, 'name'), true);
                    } else if ((ast.isIndexPart(node) || ast.isPredicatePart(node) || ast.isSubspacePart(node)) && partName(node) === symbol.name) {
                        push(GrammarUtils.findNodeForProperty(node.$cstNode, 'name'), true);
                    } else if (ast.isThroughSplit(node) && node.source === symbol.name) {
                        push(GrammarUtils.findNodeForProperty(node.$cstNode, 'source'));
                    }
                    break;
                case 'field':
                    if (ast.isNameRef(node) && node.name === symbol.name && nameRefSymbol(node).kind === 'field') push(node.$cstNode);
                    else if ((ast.isLabelDecl(node) || ast.isMetricDecl(node)) && node.field === symbol.name) {
                        push(GrammarUtils.findNodeForProperty(node.$cstNode, 'field'));
                    }
                    break;
                case 'function':
                    if (ast.isCallExpr(node) && node.callee === symbol.name) push(GrammarUtils.findNodeForProperty(node.$cstNode, 'callee'));
                    break;
                case 'hypothesis':
                    if (ast.isHypothesis(node)) {
                        if (node.name === symbol.name) push(GrammarUtils.findNodeForProperty(node.$cstNode, 'name'), true);
                        if (node.base?.$refText === symbol.name) push(node.base.$refNode);
                    }
                    break;
            }
        }
        return out;
    }
}

/** The G node a name of the graph block or an input part denotes: its declaring name, if any. */
export function graphNodeDeclaration(file: ast.HypFile, name: string): AstNode | undefined {
    const members = file.elements.filter(ast.isGraphDecl).flatMap(g => g.members);
    const [head, part] = name.split('.', 2);
    if (head === 'input') {
        const split = members.find(ast.isInputSplit);
        return part === undefined || part === 'rest' ? split : namedParts(split?.split).find(p => p.name === part);
    }
    const hook = members.find((m): m is ast.HookPoint => ast.isHookPoint(m) && m.name === head);
    if (part === undefined || part === 'rest') return hook;
    // A part of a rewrite through a map is its source's part: the hook declares it.
    if (hook?.split !== undefined && ast.isThroughSplit(hook.split)) return hook;
    return namedParts(hook?.split).find(p => p.name === part);
}

/** The symbol of a name inside an expression: a lambda parameter (none), an I-parent, else a dataset field. */
export function nameRefSymbol(ref: ast.NameRef): HypSymbol | { kind: 'local' } {
    for (let c: AstNode | undefined = ref.$container; c; c = c.$container) {
        if (ast.isLambda(c) && c.params.some(p => p.name === ref.name)) return { kind: 'local' };
        if (ast.isPredicatePart(c)) return { kind: 'local' };
        if (ast.isInterpNode(c)) {
            const parent = c.parents.find((p): p is ast.NodeParentRef => ast.isNodeParentRef(p) && p.node.$refText === ref.name);
            return parent ? interpSymbol(c.$container, ref.name, parent.node.ref) : { kind: 'field', name: ref.name };
        }
    }
    return { kind: 'field', name: ref.name };
}

function interpSymbol(h: ast.Hypothesis, name: string, declaration?: ast.InterpNode): HypSymbol {
    return { kind: 'interp', name, family: extendsFamily(h), ...(declaration && { declaration }) };
}

/** The hypotheses connected to `h` through `extends`, either way. */
export function extendsFamily(h: ast.Hypothesis): ast.Hypothesis[] {
    const all = (h.$container as ast.HypFile).elements.filter(ast.isHypothesis);
    const family = new Set<ast.Hypothesis>([h]);
    for (let grew = true; grew;) {
        grew = false;
        for (const x of all) {
            if (family.has(x)) continue;
            const chain = resolveHypothesis(x).chain;
            if (chain.some(y => family.has(y)) || [...family].some(f => resolveHypothesis(f).chain.includes(x))) {
                family.add(x);
                grew = true;
            }
        }
    }
    return all.filter(x => family.has(x));
}

function inFamily(node: AstNode, family: readonly ast.Hypothesis[]): boolean {
    const h = AstUtils.getContainerOfType(node, ast.isHypothesis);
    return h !== undefined && family.includes(h);
}

/** The segments of a `-> R.h0` target with their prefixes as G node names (`R`, `R.h0`). */
export function targetSegments(node: ast.InterpNode): { name: string; cst: CstNode }[] {
    const target = GrammarUtils.findNodeForProperty(node.$cstNode, 'target');
    if (!target) return [];
    const leaves = CstUtils.streamCst(target).filter(c => isLeafCstNode(c) && !c.hidden && c.text !== '.').toArray();
    return leaves.map((cst, i) => ({ name: leaves.slice(0, i + 1).map(l => l.text).join('.'), cst }));
}

function inputName(node: ast.InputParentRef | ast.InputRef): string {
    return node.part === undefined ? 'input' : `input.${node.part}`;
}

function inputNameCst(node: ast.InputParentRef | ast.InputRef): CstNode | undefined {
    return node.part === undefined ? node.$cstNode : GrammarUtils.findNodeForProperty(node.$cstNode, 'part');
}

function partName(part: ast.IndexPart | ast.PredicatePart | ast.SubspacePart): string {
    const owner = part.$container.$container;
    return `${ast.isHookPoint(owner) ? owner.name : 'input'}.${part.name}`;
}

function isWithin(leaf: CstNode, container: CstNode | undefined): boolean {
    return container !== undefined && leaf.offset >= container.offset && leaf.end <= container.end;
}
