// The result cache (on disk, surviving a restart; latest result per hypothesis) and the cache key
// (which inputs change it and which do not).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ScrubSpec } from '../../engine/spec.js';
import { DEFAULT_SCRUB_SETTINGS, type StoredResult } from '../../language/communication/rpc.js';
import { fileDigest, scrubJobKey } from '../../server/scrub/job-key.js';
import { execOptions } from '../../server/scrub/exec-settings.js';
import { normaliseSettings } from '../../server/scrub/register-scrub.js';
import { MAX_STORED_RESULTS, ResultCache } from '../../server/scrub/result-cache.js';
import { spec as toy } from '../fixtures/toy-spec.js';

/** A deep copy that a test may change. */
const toySpec = (): ScrubSpec => structuredClone(toy);

function stored(key: string, hypothesis = 'h', finished = 1): StoredResult {
    return { key, uri: 'file:///w/a.hyp', hypothesis, finished, settings: DEFAULT_SCRUB_SETTINGS, result: { lossRecovered: 0.5 } };
}

describe('result cache', () => {
    test('a stored result is found by key and survives a restart', () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-cache-'));
        new ResultCache(dir).put(stored('k1'));
        const again = new ResultCache(dir);
        expect(again.get('k1')?.result).toEqual({ lossRecovered: 0.5 });
        expect(again.latest('file:///w/a.hyp', 'h')?.key).toBe('k1');
        expect(again.get('k2')).toBeUndefined();
    });

    test('the latest result of a hypothesis is the last stored, whatever its key', () => {
        const cache = new ResultCache();
        cache.put(stored('k1'));
        cache.put(stored('k2'));
        expect(cache.latest('file:///w/a.hyp', 'h')?.key).toBe('k2');
        expect(cache.get('k1')).toBeDefined();
        expect(cache.latest('file:///w/a.hyp', 'other')).toBeUndefined();
    });

    test('a torn result file is skipped, not fatal', () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-cache-'));
        new ResultCache(dir).put(stored('k1'));
        writeFileSync(join(dir, 'results', 'k2.json'), '{"key": "k2", "resu');
        const again = new ResultCache(dir);
        expect(again.get('k1')).toBeDefined();
        expect(again.get('k2')).toBeUndefined();
    });

    test('the oldest results beyond the limit are removed, latest ones kept', () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-cache-'));
        const cache = new ResultCache(dir);
        for (let i = 0; i <= MAX_STORED_RESULTS; i++) cache.put(stored(`k${i}`, `h${i % 2}`, i));
        expect(readdirSync(join(dir, 'results'))).toHaveLength(MAX_STORED_RESULTS);
        expect(cache.get('k0')).toBeUndefined();
        expect(cache.get(`k${MAX_STORED_RESULTS}`)).toBeDefined();
    });
});

describe('cache key', () => {
    const digest = (p: string) => `digest of ${p}`;
    const key = (spec: ScrubSpec, settings = DEFAULT_SCRUB_SETTINGS, d = digest) => scrubJobKey(spec, 'correct', settings, d);

    test('is stable for the same inputs', () => {
        expect(key(toySpec())).toBe(key(toySpec()));
    });

    test('changes with the model bytes, the dataset bytes and the features module', () => {
        const base = key(toySpec());
        expect(key(toySpec(), DEFAULT_SCRUB_SETTINGS, p => (p.endsWith('.onnx') ? 'other' : digest(p)))).not.toBe(base);
        expect(key(toySpec(), DEFAULT_SCRUB_SETTINGS, p => (p.endsWith('.jsonl') ? 'other' : digest(p)))).not.toBe(base);
        expect(key({ ...toySpec(), featuresModule: '/w/f.mjs' })).not.toBe(base);
    });

    test('changes with the hypothesis, the run options and the settings, but not with another hypothesis', () => {
        const base = key(toySpec());
        const changed = toySpec();
        const correct = changed.hypotheses.find(h => h.name === 'correct')!;
        correct.nodes[0] = { ...correct.nodes[0], feature: { kind: 'boolean', value: true } };
        expect(key(changed)).not.toBe(base);
        const seeded = toySpec();
        seeded.hypotheses.find(h => h.name === 'correct')!.options.seed = 7;
        expect(key(seeded)).not.toBe(base);
        expect(key(toySpec(), { ...DEFAULT_SCRUB_SETTINGS, samples: 64 })).not.toBe(base);
        expect(key(toySpec(), { ...DEFAULT_SCRUB_SETTINGS, executionProvider: 'auto' })).not.toBe(base);
        expect(key(toySpec(), { ...DEFAULT_SCRUB_SETTINGS, exec: 'fused' })).not.toBe(base);
        expect(key(toySpec(), { ...DEFAULT_SCRUB_SETTINGS, deviceMemory: '4G' })).not.toBe(base);
        const other = toySpec();
        other.hypotheses = other.hypotheses.filter(h => h.name === 'correct');
        expect(key(other)).toBe(base);
    });

    test('changes with a rewrite\'s vectors, not with the line the rewritten hook is on', () => {
        const rewritten = (v: number[], line: number) => {
            const spec = toySpec();
            spec.graph.hooks[0] = { ...spec.graph.hooks[0], rewrite: { kind: 'subspace', parts: [{ name: 'v', vectors: [v] }] }, source: { file: '/w/toy.hyp', line } };
            return key(spec);
        };
        expect(rewritten([1], 3)).toBe(rewritten([1], 9));
        expect(rewritten([1], 3)).not.toBe(rewritten([-1], 3));
    });

    test('does not depend on where the files are, only on their bytes', () => {
        const moved = toySpec();
        moved.modelPath = '/elsewhere/toy_or.onnx';
        moved.dataset = { ...moved.dataset, path: '/elsewhere/toy_or.jsonl' };
        expect(key(moved, DEFAULT_SCRUB_SETTINGS, () => 'same')).toBe(key(toySpec(), DEFAULT_SCRUB_SETTINGS, () => 'same'));
    });

    test('a file digest follows the file\'s content', () => {
        const dir = mkdtempSync(join(tmpdir(), 'hyp-key-'));
        const file = join(dir, 'm.onnx');
        writeFileSync(file, 'one');
        const first = fileDigest(file);
        writeFileSync(file, 'two!');
        expect(fileDigest(file)).not.toBe(first);
        expect(fileDigest(join(dir, 'absent'))).toBe('missing');
    });
});

describe('hyp.exec and hyp.deviceMemory', () => {
    test('reach the worker options parsed: the strategy, and the device memory in bytes (empty: the default)', () => {
        const s = normaliseSettings({ exec: 'fused', deviceMemory: '8G' });
        expect(execOptions(s)).toEqual({ exec: 'fused', deviceMemory: 8 * 1024 ** 3 });
        expect(execOptions(normaliseSettings({ deviceMemory: '512M' }))).toEqual({ exec: 'auto', deviceMemory: 512 * 1024 ** 2 });
        expect(execOptions(normaliseSettings(undefined))).toEqual({ exec: 'auto' });
        expect(normaliseSettings(undefined)).toMatchObject({ exec: 'auto', deviceMemory: '' });
    });

    test('a value the scrub cannot use is kept as written and refused by name, never replaced by the default', () => {
        const bad = normaliseSettings({ exec: 'fast', deviceMemory: 'lots' });
        expect(bad).toMatchObject({ exec: 'fast', deviceMemory: 'lots' });
        expect(() => execOptions(bad)).toThrow('the setting hyp.exec must be auto, fused or staged (got "fast")');
        expect(() => execOptions({ ...bad, exec: 'staged' })).toThrow(/^the setting hyp\.deviceMemory must be a size such as 8G or 512M, or empty for the default \(got "lots"\)$/);
        // Not a string at all (a hand-written initializationOptions): refused as written too.
        expect(() => execOptions(normaliseSettings({ exec: 3 as unknown as string }))).toThrow('(got "3")');
    });

    test('so are the provider, samples, seed and threads: a value that cannot be used fails the scrub, naming it', () => {
        expect(normaliseSettings({ executionProvider: 'cuda', samples: 500, seed: null, threads: undefined }).problems).toBeUndefined();
        const bad = normaliseSettings({ executionProvider: 'gpu' as never, samples: 1, threads: 1.5 });
        expect(() => execOptions(bad)).toThrow('the setting hyp.executionProvider must be auto, cpu, cuda or webgpu (got "gpu"); '
            + 'the setting hyp.samples must be an integer ≥ 2, or empty for the file\'s own (got 1); '
            + 'the setting hyp.threads must be an integer ≥ 1, or empty to let onnxruntime decide (got 1.5)');
    });
});
