// Scale-out: a shard computes a deterministic block of the roots and keeps every root's values;
// merging the shards of a run gives exactly the unsharded result, CI included, because a root's
// values depend only on the seed and its index (engine/util/prng.ts) and the bootstrap sees the
// same per-root values in the same order.
import { HypError } from './errors.js';
import type { ScrubResult } from './result.js';
import type { PreparedScrub } from './prepare.js';
import { cacheNotice, resultMeta, runSettings, scrubRoots, type ScrubOptions } from './scrub.js';
import { concatRootValues, summarise, type ResultMeta } from './score/summary.js';
import type { HypothesisSpec } from './spec.js';

export const SHARD_FORMAT = 'hyp-scrub-shard';

export interface ShardSelector {
    /** 0-based. */
    index: number;
    count: number;
}

export interface ShardHypothesis {
    meta: ResultMeta;
    from: number;
    to: number;
    examples: number[];
    /** Per root, as losses (the engine's internal orientation). */
    clean: number[];
    scrubbed: number[];
    random: number[];
    stats: ScrubResult['stats'];
    seconds: number;
}

export interface ShardFile {
    format: typeof SHARD_FORMAT;
    version: 1;
    /** The hypothesis file the shard ran. */
    file: string;
    shard: ShardSelector;
    hypotheses: ShardHypothesis[];
}

/** Roots `from` ≤ r < `to` of shard `index` of `count`: contiguous blocks that differ in size by at most one. */
export function shardRange(samples: number, shard: ShardSelector): { from: number; to: number } {
    return {
        from: Math.floor((shard.index * samples) / shard.count),
        to: Math.floor(((shard.index + 1) * samples) / shard.count),
    };
}

/** Parses `K/N` (1-based K, as a job array's index reads most naturally) into a selector. */
export function parseShard(text: string): ShardSelector {
    const m = /^(\d+)\/(\d+)$/.exec(text);
    const k = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!m || n < 1 || k < 1 || k > n) {
        throw new HypError(`--shard must be K/N with 1 ≤ K ≤ N (got "${text}")`, 'bad-option', undefined, 'e.g. --shard 3/8 is the third of eight shards');
    }
    return { index: k - 1, count: n };
}

/** Scrubs one shard's block of roots of a hypothesis. */
export async function scrubShard(prepared: PreparedScrub, hypothesis: HypothesisSpec, opts: ScrubOptions, shard: ShardSelector): Promise<ShardHypothesis> {
    const { samples, seed } = runSettings(hypothesis, opts);
    const range = shardRange(samples, shard);
    const notice = opts.onNotice && cacheNotice(prepared, hypothesis, opts, range.to - range.from);
    if (notice) opts.onNotice!(notice);
    const v = await scrubRoots(prepared, hypothesis, opts, range);
    return {
        meta: resultMeta(prepared, hypothesis, samples, seed, opts.perExample ?? false),
        from: range.from,
        to: range.to,
        examples: [...v.examples],
        clean: [...v.clean],
        scrubbed: [...v.scrubbed],
        random: [...v.random],
        stats: v.stats,
        seconds: v.seconds,
    };
}

/** Combines the shards of one run into its results; every shard must be there exactly once. */
export function mergeShards(parts: { path: string; shard: ShardFile }[]): ScrubResult[] {
    if (parts.length === 0) throw new HypError('no shard files given', 'merge-empty');
    for (const { path, shard } of parts) {
        if (shard.format !== SHARD_FORMAT || shard.version !== 1) {
            throw new HypError('not a hyp shard file (version 1)', 'merge-format', { file: path }, 'pass the files written by `hyp scrub --shard K/N --out FILE`');
        }
    }
    const count = parts[0].shard.shard.count;
    const byIndex = new Map<number, { path: string; shard: ShardFile }>();
    for (const part of parts) {
        const { index, count: c } = part.shard.shard;
        if (c !== count) throw new HypError(`shard ${index + 1}/${c} belongs to a run of ${c} shards, not ${count}`, 'merge-mismatch', { file: part.path });
        if (byIndex.has(index)) throw new HypError(`shard ${index + 1}/${count} is given twice (also ${byIndex.get(index)!.path})`, 'merge-duplicate', { file: part.path });
        byIndex.set(index, part);
    }
    const missing = Array.from({ length: count }, (_, i) => i).filter(i => !byIndex.has(i)).map(i => `${i + 1}/${count}`);
    if (missing.length > 0) throw new HypError(`shards missing: ${missing.join(', ')}`, 'merge-missing', undefined, 'merge only when every shard has finished');
    const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const first = ordered[0].shard;
    return first.hypotheses.map((h0, k) => {
        const pieces = ordered.map(p => {
            const h = p.shard.hypotheses[k];
            if (!h || h.meta.hypothesis !== h0.meta.hypothesis || h.meta.seed !== h0.meta.seed || h.meta.samples !== h0.meta.samples
                || JSON.stringify(h.meta.metric) !== JSON.stringify(h0.meta.metric)) {
                throw new HypError(`shard ${p.shard.shard.index + 1}/${count} did not run hypothesis ${h0.meta.hypothesis} with the same samples, seed and metric`,
                    'merge-mismatch', { file: p.path });
            }
            return h;
        });
        const providers = [...new Set(pieces.map(h => h.meta.provider))];
        const values = concatRootValues(pieces.map(h => ({
            from: h.from,
            clean: Float64Array.from(h.clean),
            scrubbed: Float64Array.from(h.scrubbed),
            random: Float64Array.from(h.random),
            examples: Int32Array.from(h.examples),
            stats: h.stats,
            seconds: h.seconds,
        })));
        return summarise(values, { ...h0.meta, provider: providers.join('+'), providerFallbacks: [...new Set(pieces.flatMap(h => h.meta.providerFallbacks))] });
    });
}

