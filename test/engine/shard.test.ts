import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScrub, type PreparedScrub } from '../../engine/prepare.js';
import { scrubHypothesis } from '../../engine/scrub.js';
import { SHARD_FORMAT, mergeShards, parseShard, scrubShard, shardRange, type ShardFile } from '../../engine/shard.js';
import { onlyA, spec } from '../fixtures/toy-spec.js';

let prepared: PreparedScrub;
beforeAll(async () => {
    prepared = await prepareScrub(spec, { ep: 'cpu' });
});
afterAll(async () => prepared.runner.dispose());

async function shards(count: number, samples: number): Promise<{ path: string; shard: ShardFile }[]> {
    const parts = [];
    for (let index = 0; index < count; index++) {
        const h = await scrubShard(prepared, onlyA, { samples }, { index, count });
        // Through JSON, as the files travel between machines.
        const shard = JSON.parse(JSON.stringify({ format: SHARD_FORMAT, version: 1, file: 'toy.hyp', shard: { index, count }, hypotheses: [h] }));
        parts.push({ path: `part-${index + 1}.json`, shard });
    }
    return parts;
}

describe('sharding', () => {
    it('splits the roots into contiguous blocks that cover every root once', () => {
        const ranges = [0, 1, 2].map(index => shardRange(1000, { index, count: 3 }));
        expect(ranges).toEqual([{ from: 0, to: 333 }, { from: 333, to: 666 }, { from: 666, to: 1000 }]);
        expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
        expect(() => parseShard('4/3')).toThrow(/K\/N/);
    });

    it('merges shards into exactly the unsharded result, CI included', async () => {
        const whole = await scrubHypothesis(prepared, onlyA, { samples: 900, perExample: true });
        const [merged] = mergeShards(await shards(4, 900));
        expect(merged.lossRecovered).toBe(whole.lossRecovered);
        expect(merged.ci95).toEqual(whole.ci95);
        expect([merged.clean, merged.scrubbed, merged.random, merged.worse, merged.better])
            .toEqual([whole.clean, whole.scrubbed, whole.random, whole.worse, whole.better]);
    });

    it('refuses to merge when a shard is missing, doubled or from another run', async () => {
        const parts = await shards(3, 300);
        expect(() => mergeShards([parts[0], parts[2]])).toThrow(/shards missing: 2\/3/);
        expect(() => mergeShards([parts[0], parts[0], parts[1], parts[2]])).toThrow(/given twice/);
        const other = JSON.parse(JSON.stringify(parts[1]));
        other.shard.hypotheses[0].meta.seed = 99;
        expect(() => mergeShards([parts[0], other, parts[2]])).toThrow(/same samples, seed and metric/);
    });
});
