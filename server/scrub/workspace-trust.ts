// Workspace trust: a `features "x.mjs"` module is user code, imported only by the worker and only
// in a trusted workspace. In an untrusted one the declaration carries a warning saying why its
// hypotheses cannot be scrubbed, and the server refuses to scrub them.
import type { ValidationAcceptor } from 'langium';
import * as ast from '../../language/generated/ast.js';
import type { HypServices } from '../../language/hyp-module.js';

export const UNTRUSTED_FEATURES_CODE = 'untrusted-features';

export class WorkspaceTrust {
    /** Untrusted until the client says otherwise: the safe default for a client that does not say. */
    trusted = false;

    /** Why a file with a features module cannot be scrubbed here, or undefined when it can. */
    refusal(featuresPath: string | undefined): string | undefined {
        if (this.trusted || !featuresPath) return undefined;
        return `the workspace is not trusted, so the features module ${featuresPath} (JavaScript code) is not run: trust the workspace to scrub this file`;
    }
}

/** Registers the warning on `features` declarations of untrusted workspaces. */
export function registerTrustCheck(Hyp: HypServices, trust: WorkspaceTrust): void {
    Hyp.validation.ValidationRegistry.register<ast.HypAstType>({
        FeaturesDecl: (decl: ast.FeaturesDecl, accept: ValidationAcceptor) => {
            if (trust.trusted) return;
            accept('warning', `This workspace is not trusted: the features module "${decl.path}" is JavaScript and will not be run, so this file's hypotheses cannot be scrubbed. Trust the workspace (Workspaces: Manage Workspace Trust) to scrub them.`,
                { node: decl, property: 'path', code: UNTRUSTED_FEATURES_CODE });
        },
    });
}
