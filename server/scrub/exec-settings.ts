// The hyp.exec and hyp.deviceMemory settings as the scrub worker takes them. They reach the
// server as the user wrote them (register-scrub.ts, normaliseSettings): one the engine cannot use
// fails the scrub with this message, shown where its result would be, instead of falling back to
// the default without a word.
import type { ScrubSettings } from '../../language/communication/rpc.js';
import { EXEC_CHOICES, type ExecChoice } from '../../engine/execute/exec-strategy.js';
import { parseByteSize } from '../../engine/util/byte-size.js';

/**
 * The worker options of the two settings; throws, naming the setting, on a value it cannot use,
 * and on any other setting the server could not read (`problems`, normaliseSettings).
 */
export function execOptions(settings: Pick<ScrubSettings, 'exec' | 'deviceMemory' | 'problems'>): { exec?: ExecChoice; deviceMemory?: number } {
    if (settings.problems && settings.problems.length > 0) throw new Error(settings.problems.join('; '));
    if (!(EXEC_CHOICES as readonly string[]).includes(settings.exec)) {
        throw new Error(`the setting hyp.exec must be auto, fused or staged (got "${settings.exec}")`);
    }
    const out: { exec?: ExecChoice; deviceMemory?: number } = { exec: settings.exec as ExecChoice };
    if (settings.deviceMemory.trim() !== '') {
        const bytes = parseByteSize(settings.deviceMemory);
        if (bytes === undefined) {
            throw new Error(`the setting hyp.deviceMemory must be a size such as 8G or 512M, or empty for the default (got "${settings.deviceMemory}")`);
        }
        out.deviceMemory = bytes;
    }
    return out;
}
