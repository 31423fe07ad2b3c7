// What a feature expression may name, and with which types: the node's I-parents (an I node's
// feature, or an input part's raw values) and the dataset's fields. I-parent names shadow fields.
import { AstUtils } from 'langium';
import { checkExprType } from '../../engine/features/typecheck.js';
import { ANY, INT, NUMBER, listOf, type FeatureType } from '../../engine/features/types.js';
import * as ast from '../generated/ast.js';
import { lowerIfComplete } from '../lowering/lower-expression.js';
import { parentName, resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';

export type ParentInfo = { kind: 'input' } | { kind: 'node'; node: ast.InterpNode } | { kind: 'unresolved' };

export interface FeatureScope {
    /** The I-parents by name. */
    parents: ReadonlyMap<string, ParentInfo>;
    /** Effective I nodes of the hypothesis by name (to tell "not a parent" from "unknown"). */
    nodes: ReadonlyMap<string, ast.InterpNode>;
    /** A name's type; undefined when it is neither an I-parent with a feature nor a field (fields unknown: any). */
    lookup(name: string): FeatureType | undefined;
}

/** The scope of a node's feature, in the hypothesis that declares the node. */
export function featureScope(node: ast.InterpNode, analysis: DocumentAnalysis): FeatureScope {
    const hypothesis = AstUtils.getContainerOfType(node, ast.isHypothesis)!;
    const nodes = resolveHypothesis(hypothesis).nodes;
    const parents = new Map<string, ParentInfo>();
    for (const p of node.parents) {
        const name = parentName(p);
        if (ast.isInputParentRef(p)) parents.set(name, { kind: 'input' });
        else {
            const target = nodes.get(name);
            parents.set(name, target ? { kind: 'node', node: target } : { kind: 'unresolved' });
        }
    }
    return {
        parents,
        nodes,
        lookup: name => {
            const parent = parents.get(name);
            if (parent?.kind === 'input') return inputPartType(analysis);
            if (parent?.kind === 'node') return nodeFeatureType(parent.node, analysis) ?? ANY;
            if (parent?.kind === 'unresolved') return ANY;
            if (!analysis.fieldTypes) return ANY;
            return analysis.fieldTypes.get(name);
        },
    };
}

// Per analysis (which changes with the text and with the files it loaded), per node.
const typeCache = new WeakMap<DocumentAnalysis, Map<ast.InterpNode, FeatureType | 'visiting'>>();

/** The type of a node's feature (undefined when it has none); cycles and errors give `any`. */
export function nodeFeatureType(node: ast.InterpNode, analysis: DocumentAnalysis): FeatureType | undefined {
    if (!node.feature) return undefined;
    let cache = typeCache.get(analysis);
    if (!cache) typeCache.set(analysis, cache = new Map());
    const cached = cache.get(node);
    if (cached === 'visiting') return ANY;
    if (cached) return cached;
    cache.set(node, 'visiting');
    const scope = featureScope(node, analysis);
    const lowered = lowerIfComplete(node.feature);
    const type = lowered === undefined ? ANY : checkExprType(lowered, {
        lookup: name => scope.lookup(name) ?? ANY,
        hasFunction: name => analysis.functionNames.has(name),
    }, () => undefined);
    cache.set(node, type);
    return type;
}

/** The type of an input part's value: its elements, flattened, as numbers (ints for int or tokenised inputs). */
export function inputPartType(analysis: DocumentAnalysis): FeatureType {
    const dataset = analysis.dataset?.decl;
    const bindings = dataset?.members.filter(ast.isInputBinding) ?? [];
    if (!analysis.fieldTypes || bindings.length === 0) return listOf(NUMBER);
    const values = bindings.map(b => lowerIfComplete(b.value)).filter(v => v !== undefined);
    const types = values.map(value => checkExprType(value, {
        lookup: name => analysis.fieldTypes!.get(name) ?? ANY,
        hasFunction: name => analysis.functionNames.has(name),
    }, () => undefined));
    return listOf(types.every(isIntegral) ? INT : NUMBER);
}

function isIntegral(t: FeatureType): boolean {
    if (t.kind === 'string' || t.kind === 'boolean') return true;
    if (t.kind === 'number') return t.integer;
    return t.kind === 'list' && isIntegral(t.element);
}

/** Whether a node's feature has a static error (unknown names, types), which the fast checks report. */
export function featureHasStaticErrors(node: ast.InterpNode, analysis: DocumentAnalysis): boolean {
    if (!node.feature) return false;
    const lowered = lowerIfComplete(node.feature);
    if (lowered === undefined) return true;
    const scope = featureScope(node, analysis);
    let failed = false;
    checkExprType(lowered, {
        lookup: name => scope.lookup(name),
        hasFunction: name => analysis.functionNames.has(name),
    }, () => { failed = true; });
    return failed;
}
