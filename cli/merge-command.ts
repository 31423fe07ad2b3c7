// `hyp merge part-*.json`: the result of a sharded run, equal to the unsharded one.
import { readFileSync } from 'node:fs';
import { HypError } from '../engine/errors.js';
import { mergeShards, type ShardFile } from '../engine/shard.js';
import { formatResult, jsonResult } from './format.js';

export function mergeCommand(files: string[], json: boolean): number {
    const parts = files.map(path => {
        let text: string;
        try {
            text = readFileSync(path, 'utf8');
        } catch (e) {
            throw new HypError(`cannot read shard file: ${(e as Error).message}`, 'merge-unreadable', { file: path });
        }
        try {
            return { path, shard: JSON.parse(text) as ShardFile };
        } catch {
            throw new HypError('shard file is not JSON', 'merge-format', { file: path }, 'pass the files written by `hyp scrub --shard K/N --out FILE`');
        }
    });
    const results = mergeShards(parts);
    if (json) {
        console.log(JSON.stringify({ file: parts[0].shard.file, results: results.map(jsonResult) }, null, 2));
    } else {
        const width = Math.max(...results.map(r => r.hypothesis.length));
        for (const r of results) console.log(formatResult(r, width));
    }
    return 0;
}
