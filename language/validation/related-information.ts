// Related information for diagnostics: where the other party of a problem is written (the other
// I node on the same G node, the hook points in between two nodes).
import { AstUtils, GrammarUtils, type AstNode } from 'langium';
import type { DiagnosticRelatedInformation } from 'vscode-languageserver-types';

/** A pointer at a node's property (or the whole node) with a message. */
export function relatedAt(node: AstNode, property: string | undefined, message: string): DiagnosticRelatedInformation | undefined {
    const cst = (property && GrammarUtils.findNodeForProperty(node.$cstNode, property)) || node.$cstNode;
    if (!cst) return undefined;
    return { location: { uri: AstUtils.getDocument(node).uri.toString(), range: cst.range }, message };
}

/** The defined entries of a list of related information. */
export function related(...items: (DiagnosticRelatedInformation | undefined)[]): { relatedInformation?: DiagnosticRelatedInformation[] } {
    const defined = items.filter((x): x is DiagnosticRelatedInformation => x !== undefined);
    return defined.length > 0 ? { relatedInformation: defined } : {};
}
