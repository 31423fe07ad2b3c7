// The dependency-injection module of the language: Langium's defaults, the generated parser and
// AST, and our services by group (workspace, references, validation, lowering, lsp).
import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices,
    type LangiumSharedServices, type PartialLangiumServices, type PartialLangiumSharedServices,
} from 'langium/lsp';
import { HypGeneratedModule, HypGeneratedSharedModule } from './generated/module.js';
import { HypLowering } from './lowering/hyp-lowering.js';
import { HypCodeActionProvider } from './lsp/hyp-code-action-provider.js';
import { HypCodeLensProvider } from './lsp/hyp-code-lens-provider.js';
import { HypInlayHintProvider } from './lsp/hyp-inlay-hint-provider.js';
import { HypScrubStatus } from './lsp/scrub-status.js';
import { HypCompletionProvider } from './lsp/hyp-completion-provider.js';
import { HypDefinitionProvider } from './lsp/hyp-definition-provider.js';
import { HypDocumentHighlightProvider } from './lsp/hyp-document-highlight-provider.js';
import { HypDocumentSymbolProvider } from './lsp/hyp-document-symbol-provider.js';
import { HypDocumentUpdateHandler } from './lsp/hyp-document-update-handler.js';
import { HypWorkspaceSymbolProvider } from './lsp/hyp-workspace-symbol-provider.js';
import { HypFormatter } from './lsp/hyp-formatter.js';
import { HypHoverProvider } from './lsp/hyp-hover-provider.js';
import { HypReferencesProvider } from './lsp/hyp-references-provider.js';
import { HypRenameProvider } from './lsp/hyp-rename-provider.js';
import { HypSemanticTokenProvider } from './lsp/hyp-semantic-token-provider.js';
import { HypSlowValidation } from './lsp/hyp-slow-validation.js';
import { HypLexer } from './parser/hyp-lexer.js';
import { HypValueConverter } from './parser/hyp-value-converter.js';
import { HypLinker } from './scoping/hyp-linker.js';
import { HypScopeComputation } from './scoping/hyp-scope-computation.js';
import { HypScopeProvider } from './scoping/hyp-scope-provider.js';
import { HypSymbols } from './scoping/hyp-symbols.js';
import { HypValidator, registerValidationChecks } from './validation/hyp-validator.js';
import { HypDataDependencies } from './workspace/hyp-data-dependencies.js';
import { HypDocumentAnalysis } from './workspace/hyp-document-analysis.js';
import { HypWorkspaceData } from './workspace/hyp-workspace-data.js';
import { HypWorkspaceManager } from './workspace/hyp-workspace-manager.js';

export type HypAddedServices = {
    validation: {
        HypValidator: HypValidator;
    };
    workspace: {
        HypWorkspaceData: HypWorkspaceData;
        HypDocumentAnalysis: HypDocumentAnalysis;
        HypDataDependencies: HypDataDependencies;
    };
    references: {
        HypSymbols: HypSymbols;
    };
    lowering: {
        HypLowering: HypLowering;
    };
    lsp: {
        HypSlowValidation: HypSlowValidation;
    };
    scrub: {
        HypScrubStatus: HypScrubStatus;
    };
};

export type HypServices = LangiumServices & HypAddedServices;

export const HypModule: Module<HypServices, PartialLangiumServices & HypAddedServices> = {
    parser: {
        Lexer: services => new HypLexer(services),
        ValueConverter: () => new HypValueConverter(),
    },
    validation: {
        HypValidator: services => new HypValidator(services),
    },
    workspace: {
        HypWorkspaceData: () => new HypWorkspaceData(),
        HypDocumentAnalysis: services => new HypDocumentAnalysis(services),
        HypDataDependencies: services => new HypDataDependencies(services),
    },
    references: {
        ScopeComputation: services => new HypScopeComputation(services),
        ScopeProvider: services => new HypScopeProvider(services),
        Linker: services => new HypLinker(services),
        HypSymbols: () => new HypSymbols(),
    },
    lowering: {
        HypLowering: services => new HypLowering(services),
    },
    lsp: {
        CompletionProvider: services => new HypCompletionProvider(services),
        HoverProvider: services => new HypHoverProvider(services),
        DefinitionProvider: services => new HypDefinitionProvider(services),
        ReferencesProvider: services => new HypReferencesProvider(services),
        DocumentHighlightProvider: services => new HypDocumentHighlightProvider(services),
        RenameProvider: services => new HypRenameProvider(services),
        DocumentSymbolProvider: () => new HypDocumentSymbolProvider(),
        Formatter: () => new HypFormatter(),
        SemanticTokenProvider: services => new HypSemanticTokenProvider(services),
        CodeActionProvider: services => new HypCodeActionProvider(services),
        HypSlowValidation: services => new HypSlowValidation(services),
        CodeLensProvider: services => new HypCodeLensProvider(services),
        InlayHintProvider: services => new HypInlayHintProvider(services),
    },
    scrub: {
        HypScrubStatus: () => new HypScrubStatus(),
    },
};

/** Our shared (all-language) services. */
export const HypSharedModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    lsp: {
        DocumentUpdateHandler: shared => new HypDocumentUpdateHandler(shared),
        WorkspaceSymbolProvider: shared => new HypWorkspaceSymbolProvider(shared),
    },
    workspace: {
        WorkspaceManager: shared => new HypWorkspaceManager(shared),
    },
};

/**
 * Creates the shared services and the language's services; `context` gives the file system
 * (NodeFileSystem for the CLI and the server, EmptyFileSystem for tests) and the LSP connection;
 * `serverModule` adds the language server's own shared services (its execute-command handler).
 */
export function createHypServices(context: DefaultSharedModuleContext,
    serverModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {}): { shared: LangiumSharedServices; Hyp: HypServices } {
    const shared = inject(createDefaultSharedModule(context), HypGeneratedSharedModule, HypSharedModule, serverModule);
    const Hyp = inject(createDefaultModule({ shared }), HypGeneratedModule, HypModule);
    shared.ServiceRegistry.register(Hyp);
    registerValidationChecks(Hyp);
    if (!context.connection) {
        // Without a language client the workspace is never initialised, so built-in documents are never loaded.
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Hyp };
}
