// The editor's `hyp.numericBudget`: the numeric pass's parts and work bounds that many times the
// defaults, as `hyp check --numeric-budget N` sets them for the CLI. A value the pass cannot use is
// refused with the reason (the pass then does not run), never replaced by the default unseen.

/** The setting's name as the user writes it (package.json contributes it). */
export const NUMERIC_BUDGET_SETTING = 'hyp.numericBudget';

/** The largest budget, the CLI's flag and the setting alike. */
export const MAX_NUMERIC_BUDGET = 1024;

/** Where the budget came from: the CLI's flag (and tests) or the editor's setting; the diagnostics name the one the user can change. */
export type NumericBudgetFrom = 'flag' | 'setting';

/** The setting read: a budget, or why the value given cannot be one. */
export type NumericBudgetSetting = { budget: number; problem?: undefined } | { budget?: undefined; problem: string };

/** Reads the setting's value as the client sent it: absent or null is the default, 1. */
export function readNumericBudgetSetting(value: unknown): NumericBudgetSetting {
    if (value === undefined || value === null) return { budget: 1 };
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_NUMERIC_BUDGET) return { budget: value };
    return { problem: `the setting ${NUMERIC_BUDGET_SETTING} must be an integer from 1 to ${MAX_NUMERIC_BUDGET} (got ${JSON.stringify(value) ?? String(value)})` };
}
