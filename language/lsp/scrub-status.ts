// What the code lenses and inlay hints show about scrubbing, behind one interface: the language
// server attaches its job queue and result cache here; without it (tests, the CLI) every
// hypothesis is simply not scrubbed yet.
import type { LangiumDocument } from 'langium';
import { percentDigits, percentText } from '../../engine/score/percent.js';

/** A summary of one result, what the code lens prints. */
export interface ResultSummary {
    lossRecovered: number;
    ci95: [number, number];
    samples: number;
    seconds: number;
    provider: string;
    /** `auto`'s providers that could not start before `provider` did, as `cuda: <why>`. */
    providerFallbacks?: readonly string[];
}

/** Where one hypothesis of a document stands. */
export type HypothesisScrubState =
    | { kind: 'idle' }
    | { kind: 'queued' }
    | { kind: 'running'; fraction: number }
    | { kind: 'done'; summary: ResultSummary; stale: boolean; nodeEffects?: Record<string, { lossRecovered: number; ci95: [number, number] }> }
    | { kind: 'failed'; message: string };

/** The server's view of scrubbing, per hypothesis name of a document. */
export interface ScrubStatusSource {
    states(document: LangiumDocument): Promise<Map<string, HypothesisScrubState>>;
}

/** The service the providers read; the language server attaches the real source at start. */
export class HypScrubStatus implements ScrubStatusSource {
    /**
     * Whether the client is the VS Code extension: lens titles keep their `$(icon)` codicons (other
     * clients would print them), and its lenses and commands are how it scrubs (other clients are
     * also offered code actions, for editors that show no code lenses).
     */
    vscodeExtension = false;
    private source?: ScrubStatusSource;

    attach(source: ScrubStatusSource): void {
        this.source = source;
    }

    async states(document: LangiumDocument): Promise<Map<string, HypothesisScrubState>> {
        return this.source ? this.source.states(document) : new Map();
    }
}

/** `87.3%`: loss recovered as the lens prints it (one decimal; ∞ for an unbounded CI end). */
export const percent = percentText;

/**
 * `loss recovered 87.3% (95% CI 86.1–88.4) · 2,048 samples · 4.1 s · cpu`, and where the
 * execution provider `auto` fell back, which ones did not start: `· cpu (auto: cuda, webgpu did not start)`.
 */
export function describeResult(s: ResultSummary): string {
    const ci = `${percentDigits(s.ci95[0])}–${percentDigits(s.ci95[1])}`;
    return `loss recovered ${percent(s.lossRecovered)} (95% CI ${ci}) · ${s.samples.toLocaleString('en-US')} samples · ${s.seconds.toFixed(1)} s · ${s.provider}${fellBack(s.providerFallbacks)}`;
}

function fellBack(fallbacks: readonly string[] | undefined): string {
    if (!fallbacks || fallbacks.length === 0) return '';
    const names = [...new Set(fallbacks.map(f => f.split(':')[0].trim()))];
    return ` (auto: ${names.join(', ')} did not start)`;
}
