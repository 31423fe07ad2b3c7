// `hyp check FILE.hyp`: every problem as `file:line:col: severity code: message`; exit 1 on errors.
import { checkHypFile, type FileDiagnostic } from '../language/check-file.js';
import type { ScrubSpec } from '../engine/spec.js';

export function formatDiagnostic(d: FileDiagnostic): string {
    return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
}

/** Checks a file and prints its diagnostics; returns the spec when there is no error. */
export async function checkAndReport(file: string, out: (line: string) => void): Promise<{ ok: boolean; spec?: ScrubSpec }> {
    const { diagnostics, spec } = await checkHypFile(file);
    for (const d of diagnostics) out(formatDiagnostic(d));
    const ok = !diagnostics.some(d => d.severity === 'error');
    return { ok, spec: ok ? spec : undefined };
}

export async function checkCommand(file: string): Promise<number> {
    const { ok } = await checkAndReport(file, line => console.log(line));
    return ok ? 0 : 1;
}
