// What `hyp check` adds for a file that rewrites hook points into sums of parts: the checks on
// dataset rows that a map is linear and the parts add up to the tensor (runtime/rewrite-check.ts,
// runtime/rewrite-linearity.ts) need onnxruntime,
// which the language (and so checkHypFile) never loads. The engine's own preparation runs it, as
// a scrub would, so a file hyp check accepts is not refused by a scrub for its rewrites.
import type { FileDiagnostic } from '../language/check-file.js';
import { isHypError } from '../engine/errors.js';
import { prepareScrub } from '../engine/prepare.js';
import type { ScrubSpec } from '../engine/spec.js';

/** The rewrite-not-linear and rewrite-inexact errors found on rows for a checked spec (none when it rewrites nothing). */
export async function rewriteDiagnostics(spec: ScrubSpec | undefined, file: string): Promise<FileDiagnostic[]> {
    if (spec === undefined || !spec.graph.hooks.some(h => h.rewrite !== undefined)) return [];
    try {
        // The cheapest preparation that reaches the check: no cuts, no self-check, one thread.
        const prepared = await prepareScrub(spec, { ep: 'cpu', threads: 1, selfCheck: false, cleanCuts: false, sliceLocals: false });
        await prepared.dispose();
        return [];
    } catch (e) {
        // Anything else a preparation refuses is a scrub's to report, with its own location.
        if (!isHypError(e) || (e.code !== 'rewrite-inexact' && e.code !== 'rewrite-not-linear')) return [];
        return [{ file: e.location?.file ?? file, line: e.location?.line ?? 1, column: 1, severity: 'error', code: e.code, message: e.message + (e.hint ? ` (${e.hint})` : '') }];
    }
}
