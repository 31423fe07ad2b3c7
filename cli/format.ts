// How results and diagnostics read on a terminal. Percentages with one decimal, CIs with an en
// dash, thousands separators: the line a researcher copies into a paper.
import type { ScrubResult } from '../engine/result.js';
import { jsonNumber, percentDigits } from '../engine/score/percent.js';

export const percent = percentDigits;

/** `loss recovered 87.3% (95% CI 86.1–88.4)` */
export function lossRecoveredText(r: Pick<ScrubResult, 'lossRecovered' | 'ci95'>): string {
    return `loss recovered ${percent(r.lossRecovered)}% (95% CI ${percent(r.ci95[0])}–${percent(r.ci95[1])})`;
}

/** The full human-readable block for one hypothesis. */
export function formatResult(r: ScrubResult, nameWidth: number): string {
    const head = `${r.hypothesis.padEnd(nameWidth)}  ${lossRecoveredText(r)}`;
    const meta = `${r.samples.toLocaleString('en-US')} samples · seed ${r.seed} · ${r.seconds.toFixed(1)} s · ${r.provider}`;
    const values = `${r.metric}: clean ${fmt(r.clean)}, scrubbed ${fmt(r.scrubbed)}, random ${fmt(r.random)}`;
    const shares = `roots made worse ${percent(r.worse)}%, better ${percent(r.better)}%`;
    const pad = ' '.repeat(nameWidth + 2);
    return `${head}\n${pad}${meta}\n${pad}${values} · ${shares}`;
}

function fmt(x: number): string {
    return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

/** The JSON object of `hyp scrub --json` for one result: fractions, not percentages. */
export function jsonResult(r: ScrubResult): Record<string, unknown> {
    return {
        hypothesis: r.hypothesis,
        lossRecovered: jsonNumber(r.lossRecovered),
        ci95: r.ci95.map(jsonNumber),
        clean: r.clean,
        scrubbed: r.scrubbed,
        random: r.random,
        samples: r.samples,
        seed: r.seed,
        provider: r.provider,
        seconds: r.seconds,
        worse: r.worse,
        better: r.better,
        metric: r.metric,
        ablation: r.ablation,
        unimportant: r.unimportant,
        providerFallbacks: r.providerFallbacks,
        hurtMost: r.hurtMost,
        stats: r.stats,
    };
}
