// Feature expressions: they may only name the node's I-parents and dataset fields, and must
// type-check against the fields' types, the parents' features and the builtins. Predicates of
// splits name only their index variables and must be boolean.
import { AstUtils, type ValidationAcceptor } from 'langium';
import { describeType, INT } from '../../engine/features/types.js';
import { closestName } from '../../engine/graph/did-you-mean.js';
import * as ast from '../generated/ast.js';
import { inputRefName } from '../lowering/lower-expression.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { checkExpression } from './expression-checks.js';
import { featureScope, type FeatureScope } from './feature-scope.js';
import { IssueCodes } from './issue-codes.js';

/** A node's feature names only I-parents and fields, and type-checks. */
export function checkFeature(node: ast.InterpNode, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    if (!node.feature) return;
    const scope = featureScope(node, analysis);
    checkParentsWithoutFeature(node, scope, accept);
    checkExpression(node.feature, analysis, scope.lookup, accept, name => unknownNameMessage(node, name, scope, analysis));
}

/** Reading an I-parent that has no feature (`node b -> B <- …` without `= …`) has no value to read. */
function checkParentsWithoutFeature(node: ast.InterpNode, scope: FeatureScope, accept: ValidationAcceptor): void {
    for (const ref of AstUtils.streamAst(node.feature!)) {
        if (!ast.isNameRef(ref) || isLambdaParam(ref, ref.name)) continue;
        const name = ref.name;
        const parent = scope.parents.get(name);
        if (parent?.kind === 'node' && !parent.node.feature) {
            accept('error', `${name} has no feature to read: give it one (\`node ${name} -> ${parent.node.target} = …\`)`,
                { node: ref, code: IssueCodes.FeatureParentWithoutFeature });
        }
    }
}

function isLambdaParam(ref: ast.Expression, name: string): boolean {
    for (let c: unknown = ref.$container; ast.isLambda(c) || ast.isExpression(c); c = (c as ast.Expression).$container) {
        if (ast.isLambda(c) && c.params.some(p => p.name === name)) return true;
    }
    return false;
}

function unknownNameMessage(node: ast.InterpNode, name: string, scope: FeatureScope, analysis: DocumentAnalysis): string {
    if (name === 'input' || name.startsWith('input.')) {
        return `${name} is not an I-parent of ${node.name}: add \`<- ${name}\` to read its value`;
    }
    if (scope.nodes.has(name)) {
        return `${name} is an I node but not an I-parent of ${node.name}: add it after \`<-\` to read its feature`;
    }
    const candidates = [...scope.parents.keys(), ...(analysis.fieldTypes?.keys() ?? [])];
    const suggestion = closestName(name, candidates);
    return `"${name}" is neither a dataset field nor an I-parent of ${node.name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
}

/** A split predicate is a boolean over the split's index variables. */
export function checkPredicatePart(part: ast.PredicatePart, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const vars = new Set(part.$container.vars.map(v => v.name));
    const type = checkExpression(part.predicate, analysis, name => (vars.has(name) ? INT : undefined), accept,
        name => `"${name}" is not an index variable of this split (${[...vars].join(', ')})`);
    if (type.kind !== 'boolean' && type.kind !== 'any') {
        accept('error', `a part's predicate must be a boolean, not ${describeType(type)}`, { node: part, property: 'predicate', code: IssueCodes.FeatureType });
    }
}

/** `input.z1` inside an expression names the raw value of an input part: valid only in node features. */
export function checkInputRefContext(ref: ast.InputRef, accept: ValidationAcceptor): void {
    if (!AstUtils.getContainerOfType(ref, ast.isInterpNode)) {
        accept('error', `${inputRefName(ref.part)} can only be read in the feature of a node that has it as an I-parent`,
            { node: ref, code: IssueCodes.FeatureUnknownName });
    }
}
