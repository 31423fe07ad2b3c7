// `hyp check FILE.hyp`: every problem as `file:line:col: severity code: message`, then a summary
// line (hypotheses, errors, warnings); exit 1 on errors.
import { checkHypFile, type FileDiagnostic } from '../language/check-file.js';
import type { ScrubSpec } from '../engine/spec.js';
import type { GraphG } from '../engine/graph/types.js';
import type { PartEvidence } from '../engine/graph/perturb-queries.js';
import { probeModelFile } from '../engine/runtime/probe-model.js';
import { perturbPartsFile } from '../engine/runtime/perturb-parts.js';
import { rewriteDiagnostics } from './rewrite-diagnostics.js';

export function formatDiagnostic(d: FileDiagnostic): string {
    return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
}

/**
 * Checks a file and prints its diagnostics; returns the spec when there is no error. `numeric`:
 * run the numeric pass over part-level edges too (hyp draw marks the inert edges it finds).
 */
export async function checkAndReport(file: string, out: (line: string) => void, options: { numeric?: boolean } = {}): Promise<{ ok: boolean; spec?: ScrubSpec; g?: GraphG; numeric?: PartEvidence }> {
    // The rewrites' check on rows is left to the preparation of whatever runs next (a scrub
    // prepares and refuses the same way), so it does not run twice.
    const { diagnostics, spec, g, numeric } = await checkHypFile(file, { prober: probeModelFile, ...(options.numeric && { perturber: perturbPartsFile }) });
    for (const d of diagnostics) out(formatDiagnostic(d));
    const ok = !diagnostics.some(d => d.severity === 'error');
    return ok ? { ok, spec, g, ...(numeric && { numeric }) } : { ok };
}

/** `numericBudget`: the numeric pass's parts and work bounds that many times the defaults (`--numeric-budget`). */
export async function checkCommand(file: string, options: { numericBudget?: number } = {}): Promise<number> {
    // The numeric pass over part-level edges runs here (its warnings are `hyp check`'s and the
    // editor's), not before a scrub: it changes nothing the scrub does.
    const checked = await checkHypFile(file, { prober: probeModelFile, perturber: perturbPartsFile, numericBudget: options.numericBudget });
    const { hypotheses, planSizes } = checked;
    const diagnostics = [...checked.diagnostics, ...await rewriteDiagnostics(checked.spec, file)];
    for (const d of diagnostics) console.log(formatDiagnostic(d));
    // What each scrub will plan, before anyone runs one: on stderr with the summary.
    for (const p of planSizes ?? []) console.error(`${p.hypothesis}: ${p.text}`);
    const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    const errors = diagnostics.filter(d => d.severity === 'error').length;
    // On stderr: stdout stays the diagnostics alone, one per line, for scripts that read them.
    console.error(`${file}: ${count(hypotheses, 'hypothesis', 'hypotheses')}, ${count(errors, 'error')}, ${count(diagnostics.filter(d => d.severity === 'warning').length, 'warning')}`);
    return errors > 0 ? 1 : 0;
}
