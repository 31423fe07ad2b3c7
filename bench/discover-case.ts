// A discover benchmark case: the whole search on one prepared spec, timed from the first scrub to
// the last (preparing the spec is not the search's cost; a scrub case does not time it either).
// Prints the case's JSON line like bench-case.ts does for scrub cases.
import type { PreparedScrub } from '../engine/prepare.js';
import type { ScrubSpec } from '../engine/spec.js';
import { discover, edgeCount } from '../engine/explore/discover.js';
import { startHypothesis } from '../engine/explore/identity.js';
import type { BenchCase } from './cases.js';

export async function discoverCase(c: BenchCase & { discover: NonNullable<BenchCase['discover']> }, spec: ScrubSpec, prepared: PreparedScrub, roots: number): Promise<Record<string, unknown>> {
    const start = startHypothesis(spec, prepared.g, c.discover.from);
    const r = await discover(prepared, start, { samples: roots, threshold: c.discover.threshold, rule: 'ci' });
    return {
        name: c.name,
        roots,
        scrubSeconds: r.seconds,
        searchScrubs: r.scrubs,
        secondsPerScrub: r.seconds / r.scrubs,
        edges: { start: edgeCount(start), found: edgeCount(r.found) },
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        provider: prepared.runner.provider,
        lossRecovered: r.foundScore.lossRecovered,
        ci95: r.foundScore.ci95,
        seed: r.seed,
    };
}
