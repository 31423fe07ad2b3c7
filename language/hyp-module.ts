// The dependency-injection module of the language: Langium's defaults, the generated parser and
// AST, and our services by group (workspace, references, validation, lowering).
import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices,
    type LangiumSharedServices, type PartialLangiumServices,
} from 'langium/lsp';
import { HypGeneratedModule, HypGeneratedSharedModule } from './generated/module.js';
import { HypLowering } from './lowering/hyp-lowering.js';
import { HypLinker } from './scoping/hyp-linker.js';
import { HypScopeComputation } from './scoping/hyp-scope-computation.js';
import { HypScopeProvider } from './scoping/hyp-scope-provider.js';
import { HypValidator, registerValidationChecks } from './validation/hyp-validator.js';
import { HypDocumentAnalysis } from './workspace/hyp-document-analysis.js';
import { HypWorkspaceData } from './workspace/hyp-workspace-data.js';

export type HypAddedServices = {
    validation: {
        HypValidator: HypValidator;
    };
    workspace: {
        HypWorkspaceData: HypWorkspaceData;
        HypDocumentAnalysis: HypDocumentAnalysis;
    };
    lowering: {
        HypLowering: HypLowering;
    };
};

export type HypServices = LangiumServices & HypAddedServices;

export const HypModule: Module<HypServices, PartialLangiumServices & HypAddedServices> = {
    validation: {
        HypValidator: services => new HypValidator(services),
    },
    workspace: {
        HypWorkspaceData: () => new HypWorkspaceData(),
        HypDocumentAnalysis: services => new HypDocumentAnalysis(services),
    },
    references: {
        ScopeComputation: services => new HypScopeComputation(services),
        ScopeProvider: services => new HypScopeProvider(services),
        Linker: services => new HypLinker(services),
    },
    lowering: {
        HypLowering: services => new HypLowering(services),
    },
};

/**
 * Creates the shared services and the language's services; `context` gives the file system
 * (NodeFileSystem for the CLI and the server, EmptyFileSystem for tests) and the LSP connection.
 */
export function createHypServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; Hyp: HypServices } {
    const shared = inject(createDefaultSharedModule(context), HypGeneratedSharedModule);
    const Hyp = inject(createDefaultModule({ shared }), HypGeneratedModule, HypModule);
    shared.ServiceRegistry.register(Hyp);
    registerValidationChecks(Hyp);
    if (!context.connection) {
        // Without a language client the workspace is never initialised, so built-in documents are never loaded.
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Hyp };
}
