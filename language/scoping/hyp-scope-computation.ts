// Each .hyp file stands alone: nothing is exported to other documents, so two files in a workspace
// may both have a hypothesis `correct` without one's `extends` resolving into the other.
import { DefaultScopeComputation, type AstNodeDescription, type LangiumDocument } from 'langium';

export class HypScopeComputation extends DefaultScopeComputation {
    override async collectExportedSymbols(_document: LangiumDocument): Promise<AstNodeDescription[]> {
        return [];
    }
}
