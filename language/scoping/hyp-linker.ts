// Linking errors in the words of the language, with a did-you-mean where a close name exists.
import { DefaultLinker, type AstNodeDescription, type LinkingError, type ReferenceInfo } from 'langium';
import { closestName } from '../../engine/graph/did-you-mean.js';
import * as ast from '../generated/ast.js';

export class HypLinker extends DefaultLinker {
    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const error = super.createLinkingError(refInfo, targetDescription);
        if (targetDescription) return error;
        const name = refInfo.reference.$refText;
        const candidates = [...this.scopeProvider.getScope(refInfo).getAllElements()].map(d => d.name);
        const suggestion = closestName(name, candidates);
        const hint = suggestion !== undefined ? `; did you mean "${suggestion}"?` : '';
        if (ast.isHypothesis(refInfo.container)) {
            return { ...error, message: `unknown hypothesis "${name}"${hint}` };
        }
        if (ast.isNodeParentRef(refInfo.container)) {
            return { ...error, message: `unknown I node "${name}": an I-parent is a node of this hypothesis (or of the one it extends) or an input part${hint}` };
        }
        return error;
    }
}
