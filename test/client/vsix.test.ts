// `npm run package`: the .vsix holds the bundles and onnxruntime-node's linux-x64 files only, is
// under 40 MB, and its scrub worker runs a real scrub when unpacked away from this repository's
// node_modules (so it loads the onnxruntime it ships).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ScrubSpec } from '../../engine/spec.js';
import { WorkerSupervisor } from '../../server/scrub/worker-supervisor.js';
import { spec as toySpec } from '../fixtures/toy-spec.js';
import { checkHypFile } from '../../language/check-file.js';
import { scrub } from '../../engine/scrub.js';
// @ts-expect-error: plain JavaScript build scripts without type declarations.
import { packageVsix } from '../../scripts/package-vsix.mjs';
// @ts-expect-error: as above.
import { unzip } from '../../scripts/vsix/zip.mjs';

interface Listing { path: string; size: number }

let vsix: { path: string; bytes: number; listing: Listing[] };

beforeAll(async () => {
    vsix = await packageVsix();
}, 180_000);

describe('the .vsix', () => {
    test('is named by version, under 40 MB, with the manifest, bundles and grammar', () => {
        const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
        expect(vsix.path).toBe(`${pkg.name}-${pkg.version}.vsix`);
        expect(vsix.bytes).toBeLessThan(40 * 1024 * 1024);
        const paths = vsix.listing.map(e => e.path);
        expect(paths).toEqual(expect.arrayContaining([
            '[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json',
            'extension/dist/extension/extension.cjs', 'extension/dist/extension/hyp-language-server.cjs',
            'extension/dist/extension/hyp-scrub-worker.cjs', 'extension/dist/extension/hyp-scrub-thread.cjs',
            'extension/dist/extension/hyp-load-worker.mjs',
            'extension/syntaxes/hyp.tmLanguage.json', 'extension/syntaxes/language-configuration.json',
            'extension/syntaxes/hyp.snippets.json', 'extension/syntaxes/hyp-file-icon.svg',
        ]));
        expect(paths.filter(p => p.endsWith('.map'))).toEqual([]);
    });

    test('carries onnxruntime-node\'s linux-x64 binding and library, dereferenced, and nothing for other platforms or CUDA', () => {
        const native = vsix.listing.filter(e => /\.(node|so(\.\d+)*|dll|dylib)$/.test(e.path));
        expect(native.map(e => e.path).sort()).toEqual([
            'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
            'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        ]);
        // Real files, not links: the library is tens of megabytes.
        expect(native.find(e => e.path.endsWith('libonnxruntime.so.1'))!.size).toBeGreaterThan(10 * 1024 * 1024);
    });

    test('its manifest is the extension\'s, without the development keys', () => {
        const files = unzip(readFileSync(vsix.path)) as { path: string; data: Buffer }[];
        const manifest = JSON.parse(files.find(f => f.path === 'extension/package.json')!.data.toString());
        expect(manifest.main).toBe('./dist/extension/extension.cjs');
        expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
        expect(manifest.contributes.languages[0].id).toBe('hyp');
        expect(manifest.dependencies).toBeUndefined();
        expect(manifest.scripts).toBeUndefined();
        expect(files.find(f => f.path === 'extension.vsixmanifest')!.data.toString()).toContain('TargetPlatform="linux-x64"');
    });

    test('its worker, unpacked outside the repository, scrubs the toy model with the onnxruntime it ships', async () => {
        const dir = unpack();
        const worker = join(dir, 'extension/dist/extension/hyp-scrub-worker.cjs');
        const log: string[] = [];
        const sup = new WorkerSupervisor({ spawn: () => fork(worker, [], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), onLog: l => log.push(l) });
        try {
            const spec: ScrubSpec = { ...toySpec, hypotheses: toySpec.hypotheses.filter(h => h.name === 'identity') };
            const [result] = await sup.run(spec, { hypotheses: ['identity'], samples: 64, ep: 'cpu', perExample: true, allowFeaturesModule: false });
            expect(result.lossRecovered).toBe(1);
            expect(result.perExample?.examples).toHaveLength(64);
            expect(result.provider).toBe('cpu');
        } finally {
            await sup.dispose();
        }
    }, 120_000);

    test('its worker scrubs a large run in its scrub threads (the bundle it ships), as the engine does in one thread', async () => {
        const dir = unpack();
        const { spec } = await checkHypFile(join(import.meta.dirname, '../../examples/paren/paren.hyp'));
        const claim1 = { ...spec!, hypotheses: spec!.hypotheses.filter(h => h.name === 'claim1') };
        const [inProcess] = await scrub(claim1, { samples: 2_000, threads: 1 });
        const log: string[] = [];
        const sup = new WorkerSupervisor({
            spawn: () => fork(join(dir, 'extension/dist/extension/hyp-scrub-worker.cjs'), [], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
            onLog: l => log.push(l),
        });
        try {
            const [result] = await sup.run(claim1, { hypotheses: ['claim1'], samples: 2_000, threads: 2, ep: 'cpu', perExample: false, allowFeaturesModule: false });
            expect(Math.abs(result.lossRecovered - inProcess.lossRecovered)).toBeLessThan(1e-6);
            expect(result.stats.requests).toBeGreaterThan(inProcess.stats.requests);
        } finally {
            await sup.dispose();
        }
    }, 180_000);
});

/** The .vsix unpacked into a new directory outside the repository. */
function unpack(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-vsix-'));
    for (const f of unzip(readFileSync(vsix.path)) as { path: string; data: Buffer }[]) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.data);
    }
    return dir;
}
