// The editor's `hyp.numericBudget` (language/workspace/numeric-budget-setting.ts) applied to the
// numeric pass: read from the `hyp` configuration section whenever the client sends or is asked
// for it (hyp-configuration-provider.ts), and every open .hyp document revalidated when it
// changes, so that its numeric-pass-skipped and edge-numerically-inert diagnostics are the new
// budget's (the analyses and plans are cached under the budget they were made with).
import type { LangiumSharedServices } from 'langium/lsp';
import type { HypServices } from '../language/hyp-module.js';
import { readNumericBudgetSetting } from '../language/workspace/numeric-budget-setting.js';

/** The key of the setting inside the `hyp` section. */
const KEY = 'numericBudget';

/** Makes the setting the numeric pass's budget (the default until the client says otherwise) and follows its changes. */
export function watchNumericBudgetSetting(shared: LangiumSharedServices, Hyp: HypServices): void {
    const data = Hyp.workspace.HypWorkspaceData;
    const section = Hyp.LanguageMetaData.languageId;
    // In the editor the budget is the setting's, also before (or without) a configuration: the diagnostics name it.
    data.useNumericBudgetSetting({ budget: 1 });
    shared.workspace.ConfigurationProvider.onConfigurationSectionUpdate(update => {
        if (update.section !== section) return;
        const configuration: unknown = update.configuration;
        const value = typeof configuration === 'object' && configuration !== null ? (configuration as Record<string, unknown>)[KEY] : undefined;
        if (data.useNumericBudgetSetting(readNumericBudgetSetting(value))) void Hyp.workspace.HypDataDependencies.revalidateAll();
    });
}
