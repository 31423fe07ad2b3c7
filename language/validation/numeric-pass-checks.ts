// Saying when the numeric pass over part-level edges (graph/perturb-queries.ts) did not test an
// edge a hypothesis claims: without this, "no edge-numerically-inert warning" reads the same
// whether the edge moved its child or was never tried. One information diagnostic per kind, on
// the model declaration (the pass is about the model, not one claim), and only where a claim is
// concerned: a file whose claims the pass does not test hears nothing about it.
import type { ValidationAcceptor } from 'langium';
import { edgeKey } from '../../engine/graph/perturb-queries.js';
import type * as ast from '../generated/ast.js';
import { claimedEdges } from '../workspace/claimed-edges.js';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { NUMERIC_BUDGET_SETTING } from '../workspace/numeric-budget-setting.js';
import { IssueCodes } from './issue-codes.js';

/** Claimed edges, and reasons, listed at most in a message. */
const LISTED = 8;
const REASONS = 1;
/** How far, at most, a numeric-pass-skipped looks for a budget that tests its edges (times the current bounds). */
const MAX_RAISE = 64;

const UNTESTED = 'a missing edge-numerically-inert warning on them means "not tested", not "moved its child"; the structural edges stand (G, the planner and the scrub use them either way)';

/** numeric-budget-setting-invalid, numeric-pass-failed and numeric-pass-skipped, on the model declaration. */
export function checkNumericPass(file: ast.HypFile, analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    const decl = analysis.model?.decl;
    if (decl !== undefined && analysis.numericBudgetProblem !== undefined) {
        // An error, like a bad --numeric-budget: the check asked for cannot be made, and running it on the defaults would answer another question unseen.
        accept('error', `${analysis.numericBudgetProblem}. Until it is, the numeric pass over part-level edges does not run (nor on the default bounds instead): a missing edge-numerically-inert warning means "not tested"`,
            { node: decl, property: 'path', code: IssueCodes.NumericBudgetSettingInvalid });
        return;
    }
    const g = analysis.derived?.g;
    if (decl === undefined || g === undefined || analysis.numericPass === undefined) return;
    const claimed = claimedEdges(file, g);
    if (claimed.size === 0) return;
    const plan = analysis.numericPlan?.();
    if (plan === undefined) return;
    // By child tensor: the claimed edges each query or skipped child would test.
    const concerned = (edges: readonly [string, string][]) => edges.map(([c, p]) => edgeKey(c, p)).filter(k => claimed.has(k));
    const skipped: { edges: string[]; reason: string }[] = plan.skipped.map(s => ({ edges: concerned(s.edges), reason: s.reason })).filter(s => s.edges.length > 0);
    // What a larger budget could change: the plan's skipped children (not a run's, below).
    const planSkipped = new Set(skipped.flatMap(s => s.edges));
    const failed: { edges: string[]; reason: string }[] = [];
    const tested = plan.queries.map(q => ({ tensor: q.tensor, edges: concerned(q.edges) })).filter(q => q.edges.length > 0);
    if (tested.length > 0) {
        // Asks (and starts) the pass only where a claim is concerned; pending: nothing to say yet.
        const pass = analysis.numericPass();
        if (pass?.error !== undefined) failed.push({ edges: tested.flatMap(q => q.edges), reason: pass.error });
        for (const u of pass?.evidence?.untested ?? []) {
            const edges = tested.find(q => q.tensor === u.tensor)?.edges ?? [];
            if (edges.length > 0) (u.kind === 'failed' ? failed : skipped).push({ edges, reason: u.reason });
        }
    }
    const at = { node: decl, property: 'path' } as const;
    if (failed.length > 0) {
        accept('info', `the numeric pass over part-level edges failed, so ${count(failed)} ${plural(failed) ? 'were' : 'was'} not tested: ${reasons(failed)}. Until it runs, ${UNTESTED}. It is tried again at the next \`hyp check\`, and in the editor when the model or dataset file changes`,
            { ...at, code: IssueCodes.NumericPassFailed });
    }
    if (skipped.length > 0) {
        accept('info', `the numeric pass over part-level edges left ${count(skipped)} untested, past its work bounds: ${reasons(skipped)}. ${UNTESTED[0].toUpperCase()}${UNTESTED.slice(1)}. ${raising(analysis, planSkipped, new Set(skipped.flatMap(s => s.edges)).size, concerned)}`,
            { ...at, code: IssueCodes.NumericPassSkipped });
    }
}

/**
 * How to bring the `all` claimed edges left untested within the bounds: the smallest `hyp check
 * --numeric-budget`, or `hyp.numericBudget` in the editor (the current one times a power of two, up to MAX_RAISE) under which the plan
 * tests the most of `untested` (those the plan skipped), when one tests any; always the structural
 * remedies (the run bound, a shape unknown, do not scale).
 */
function raising(analysis: DocumentAnalysis, untested: ReadonlySet<string>, all: number, concerned: (edges: readonly [string, string][]) => string[]): string {
    const remedies = 'a hook point nearer the child (a shorter local function, smaller parents), or claims on fewer split parts, brings them within the bounds';
    const left = (scale: number) => {
        const plan = analysis.numericPlan?.(scale);
        return plan === undefined ? untested.size : new Set(plan.skipped.flatMap(s => concerned(s.edges)).filter(e => untested.has(e))).size;
    };
    const most = left(MAX_RAISE);
    const { budget, from } = analysis.numericBudget?.() ?? { budget: 1, from: 'flag' };
    if (most >= untested.size) return `The bounds are spent on claimed parent parts first; raising them would not help (the run bound and shapes not known do not scale, and ${MAX_RAISE} times the parts and work bounds leaves them untested): ${remedies}`;
    // Bisected over the exponents (a plan is milliseconds, up to tens on a GPT-2: this runs on the
    // typing path): the scale named is one that was planned and tests them.
    let [lo, hi] = [0, Math.log2(MAX_RAISE)];
    while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (left(2 ** mid) === most) hi = mid;
        else lo = mid;
    }
    const scale = 2 ** hi;
    const tests = untested.size - most;
    // The CLI's flag, or in the editor its setting (numeric-budget-setting.ts): the one the user can change here.
    const raise = from === 'setting' ? `setting \`${NUMERIC_BUDGET_SETTING}\` to ${budget * scale}` : `\`hyp check --numeric-budget ${budget * scale}\``;
    return `The bounds are spent on claimed parent parts first; ${raise} (${budget * scale} times the default parts and work bounds) tests ${tests === all ? 'them' : `${tests} of them`}, or ${remedies}`;
}

/** "2 claimed edges (input.z2 -> A.a0, input.z1 -> A.a0)". */
function count(groups: readonly { edges: string[] }[]): string {
    const edges = [...new Set(groups.flatMap(g => g.edges))];
    const listed = edges.slice(0, LISTED).join(', ') + (edges.length > LISTED ? `, … ${edges.length - LISTED} more` : '');
    return `${edges.length} claimed edge${edges.length === 1 ? '' : 's'} (${listed})`;
}

function plural(groups: readonly { edges: string[] }[]): boolean {
    return new Set(groups.flatMap(g => g.edges)).size > 1;
}

/** The first REASONS distinct reasons (one a child tensor), then how many more nodes. */
function reasons(groups: readonly { reason: string }[]): string {
    const all = [...new Set(groups.map(g => g.reason))];
    return all.slice(0, REASONS).join('; ') + (all.length > REASONS ? `; and ${all.length - REASONS} more child tensor${all.length - REASONS === 1 ? '' : 's'} likewise` : '');
}
