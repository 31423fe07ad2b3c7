// I-parents name the I nodes of their hypothesis, including those inherited through `extends`
// (a base's node that the hypothesis overrides resolves to the override).
import { AstUtils, DefaultScopeProvider, EMPTY_SCOPE, type ReferenceInfo, type Scope } from 'langium';
import * as ast from '../generated/ast.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';

export class HypScopeProvider extends DefaultScopeProvider {
    override getScope(context: ReferenceInfo): Scope {
        if (ast.isNodeParentRef(context.container) && context.property === 'node') {
            const hypothesis = AstUtils.getContainerOfType(context.container, ast.isHypothesis);
            if (!hypothesis) return EMPTY_SCOPE;
            return this.createScopeForNodes(resolveHypothesis(hypothesis).nodes.values());
        }
        if (ast.isHypothesis(context.container) && context.property === 'base') {
            const file = AstUtils.getContainerOfType(context.container, ast.isHypFile);
            return this.createScopeForNodes(file?.elements.filter(ast.isHypothesis) ?? []);
        }
        return super.getScope(context);
    }
}
