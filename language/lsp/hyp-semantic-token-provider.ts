// Semantic highlighting by meaning, which TextMate cannot know: G nodes (hook points, parts,
// targets, input parts) as types, I nodes as variables, dataset fields as properties, builtins
// and module functions as functions, lambda and index variables as parameters.
import { AstUtils, type AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import { BUILTINS } from '../../engine/features/builtins.js';
import * as ast from '../generated/ast.js';
import { nameRefSymbol, targetSegments } from '../scoping/hyp-symbols.js';

const DECL = SemanticTokenModifiers.declaration;

export class HypSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        if (ast.isHypothesis(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.class, modifier: DECL });
            if (node.base) acceptor({ node, property: 'base', type: SemanticTokenTypes.class });
        } else if (ast.isHookPoint(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.type, modifier: DECL });
        } else if (ast.isIndexPart(node) || ast.isPredicatePart(node) || ast.isSubspacePart(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.type, modifier: DECL });
        } else if (ast.isThroughSplit(node) && node.source !== undefined) {
            acceptor({ node, property: 'source', type: SemanticTokenTypes.type });
        } else if (ast.isInterpNode(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: DECL });
            for (const s of targetSegments(node)) acceptor({ cst: s.cst, type: SemanticTokenTypes.type });
        } else if (ast.isNodeParentRef(node)) {
            acceptor({ node, property: 'node', type: SemanticTokenTypes.variable });
        } else if ((ast.isInputParentRef(node) || ast.isInputRef(node)) && node.part !== undefined) {
            acceptor({ node, property: 'part', type: SemanticTokenTypes.type });
        } else if (ast.isNameRef(node)) {
            const symbol = nameRefSymbol(node);
            const inPredicate = AstUtils.getContainerOfType(node, ast.isPredicatePart) !== undefined;
            const type = symbol.kind === 'local' || inPredicate ? SemanticTokenTypes.parameter
                : symbol.kind === 'interp' ? SemanticTokenTypes.variable : SemanticTokenTypes.property;
            acceptor({ node, property: 'name', type });
        } else if (ast.isCallExpr(node)) {
            acceptor({ node, property: 'callee', type: SemanticTokenTypes.function, ...(BUILTINS.has(node.callee) && { modifier: SemanticTokenModifiers.defaultLibrary }) });
        } else if (ast.isLambdaParam(node) || ast.isIndexVar(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: DECL });
        } else if (ast.isLabelDecl(node) || (ast.isMetricDecl(node) && node.field !== undefined)) {
            acceptor({ node, property: 'field', type: SemanticTokenTypes.property });
        }
    }
}
