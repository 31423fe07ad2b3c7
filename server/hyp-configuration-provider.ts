// Langium's configuration provider (the `hyp` section: fetched with workspace/configuration once
// the client has initialised, pushed with workspace/didChangeConfiguration), made safe with any
// client: a change notification that does not carry the section (`settings: null`, the LSP's pull
// model) fetches it again; a client that says it answers workspace/configuration and then fails to
// leaves the defaults, logged, instead of a rejected promise; the change notification is registered
// for only where the client registers dynamically. What was fetched is announced like a push, so
// that a setting's reader (numeric-budget-watch.ts) has one event to follow.
import { DefaultConfigurationProvider, type ConfigurationInitializedParams } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection, DidChangeConfigurationParams, InitializeParams } from 'vscode-languageserver';

export class HypConfigurationProvider extends DefaultConfigurationProvider {
    private readonly connection?: Connection;
    private dynamicRegistration = false;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.connection = services.lsp.Connection;
    }

    override initialize(params: InitializeParams): void {
        super.initialize(params);
        this.dynamicRegistration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    }

    override async initialized(params: ConfigurationInitializedParams): Promise<void> {
        const { register, fetchConfiguration } = params;
        await super.initialized({
            ...params,
            register: register && this.dynamicRegistration
                ? options => void Promise.resolve(register(options)).catch(e => this.log(`the client refused to register workspace/didChangeConfiguration (${message(e)})`))
                : undefined,
            fetchConfiguration: fetchConfiguration && (items => fetchConfiguration(items).catch(e => {
                this.log(`the client did not answer workspace/configuration (${message(e)}): the hyp settings keep their defaults`);
                return items.map(() => null);
            })),
        });
        for (const [section, configuration] of Object.entries(this.settings)) this.onConfigurationSectionUpdateEmitter.fire({ section, configuration });
    }

    override updateConfiguration(change: DidChangeConfigurationParams): void {
        const settings: unknown = change.settings;
        const sections = this.sections();
        if (typeof settings === 'object' && settings !== null && sections.some(s => s in settings)) {
            super.updateConfiguration(change);
            return;
        }
        // Nothing of ours pushed: pull, where the client answers.
        if (this.workspaceConfig && this.connection !== undefined) void this.pull(this.connection, sections);
    }

    private async pull(connection: Connection, sections: string[]): Promise<void> {
        let configs: unknown[];
        try {
            configs = await connection.workspace.getConfiguration(sections.map(section => ({ section }))) as unknown[];
        } catch (e) {
            this.log(`the client did not answer workspace/configuration (${message(e)}): the hyp settings stay as they were`);
            return;
        }
        sections.forEach((section, i) => {
            this.updateSectionConfiguration(section, configs[i]);
            this.onConfigurationSectionUpdateEmitter.fire({ section, configuration: configs[i] });
        });
    }

    private sections(): string[] {
        return this.serviceRegistry.all.map(l => this.toSectionName(l.LanguageMetaData.languageId));
    }

    private log(line: string): void {
        this.connection?.console.info(line);
    }
}

function message(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}
