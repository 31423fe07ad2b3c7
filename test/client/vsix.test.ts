// `npm run package`: one .vsix per platform onnxruntime-node ships binaries for, made by @vscode/vsce,
// each holding the bundles and that platform's native files only; the linux-x64 one's scrub worker
// runs a real scrub when unpacked away from this repository's node_modules (so it loads the
// onnxruntime it ships).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ScrubSpec } from '../../engine/spec.js';
import { WorkerSupervisor } from '../../server/scrub/worker-supervisor.js';
import { spec as toySpec } from '../fixtures/toy-spec.js';
import { checkHypFile } from '../../language/check-file.js';
import { scrub } from '../../engine/scrub.js';
// @ts-expect-error: plain JavaScript build scripts without type declarations.
import { ORT_IN_PACKAGE, packageVsix, TARGETS } from '../../scripts/package-vsix.mjs';
// @ts-expect-error: as above.
import { unzip } from '../../scripts/vsix/read-zip.mjs';

interface Listing { path: string; size: number }
interface Package { target: string; path: string; bytes: number; listing: Listing[] }

let packages: Package[];
let vsix: Package;
const ORT = `extension/${ORT_IN_PACKAGE as string}/onnxruntime-node`;

beforeAll(async () => {
    packages = await packageVsix();
    vsix = packages.find(p => p.target === 'linux-x64')!;
}, 240_000);

describe('the platform packages', () => {
    test('one per target onnxruntime-node ships binaries for, named by version and target, each under 64 MiB', () => {
        const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
        expect(packages.map(p => p.target)).toEqual(['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64']);
        for (const p of packages) {
            expect(p.path).toBe(`${pkg.name}-${pkg.version}-${p.target}.vsix`);
            expect(p.bytes).toBeLessThan(64 * 1024 * 1024);
        }
    });

    test('each holds exactly its own platform\'s native files from onnxruntime-node, and says its target', () => {
        for (const p of packages) {
            const folder = (TARGETS as Record<string, string>)[p.target];
            const shipped = readdirSync(join('node_modules/onnxruntime-node/bin/napi-v6', folder)).map(f => `${ORT}/bin/napi-v6/${folder}/${f}`).sort();
            const native = p.listing.filter(e => /\.(node|so(\.\d+)*|dll|dylib)$/.test(e.path)).map(e => e.path).sort();
            expect(native).toEqual(shipped);
            const files = unzip(readFileSync(p.path)) as { path: string; data: Buffer }[];
            expect(files.find(f => f.path === 'extension.vsixmanifest')!.data.toString()).toContain(`TargetPlatform="${p.target}"`);
        }
    });

    test('the linux-x64 package carries the bundles, grammar, icon, extension page, changelog and licence, no source maps', () => {
        const paths = vsix.listing.map(e => e.path);
        expect(paths).toEqual(expect.arrayContaining([
            '[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt',
            'extension/dist/extension/extension.cjs', 'extension/dist/extension/hyp-language-server.cjs',
            'extension/dist/extension/hyp-scrub-worker.cjs', 'extension/dist/extension/hyp-scrub-thread.cjs',
            'extension/dist/extension/hyp-load-worker.mjs',
            'extension/syntaxes/hyp.tmLanguage.json', 'extension/syntaxes/language-configuration.json',
            'extension/syntaxes/hyp.snippets.json', 'extension/syntaxes/hyp-file-icon.svg', 'extension/syntaxes/hyp-icon.png',
        ]));
        expect(paths.filter(p => p.endsWith('.map'))).toEqual([]);
        // Real files, not links: the library is tens of megabytes.
        expect(vsix.listing.find(e => e.path.endsWith('linux/x64/libonnxruntime.so.1'))!.size).toBeGreaterThan(10 * 1024 * 1024);
    });

    test('it carries the notices of the third-party code its bundles hold (elkjs\'s EPL-2.0 among them)', () => {
        const files = unzip(readFileSync(vsix.path)) as { path: string; data: Buffer }[];
        const notices = files.find(f => f.path === 'extension/ThirdPartyNotices.txt')?.data.toString() ?? '';
        for (const name of ['elkjs', 'langium', 'vscode-languageclient', 'vscode-languageserver', 'chevrotain', 'onnxruntime-node', 'onnxruntime-common']) {
            expect(notices, name).toMatch(new RegExp(`^- ${name} \\d`, 'm'));
        }
        expect(notices).toContain('- elkjs 0.');
        expect(notices).toContain('Eclipse Public License - v 2.0');
        // vscode is provided by the editor, not bundled; development packages are not in the bundles.
        expect(notices).not.toMatch(/^- (vscode|vitest|esbuild|typescript) /m);
    });

    test('its manifest is the extension\'s, without the development keys', () => {
        const files = unzip(readFileSync(vsix.path)) as { path: string; data: Buffer }[];
        const manifest = JSON.parse(files.find(f => f.path === 'extension/package.json')!.data.toString());
        expect(manifest.main).toBe('./dist/extension/extension.cjs');
        expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
        expect(manifest.contributes.languages[0].id).toBe('hyp');
        expect(manifest.dependencies).toBeUndefined();
        expect(manifest.scripts).toBeUndefined();
        expect(manifest.allowScripts).toBeUndefined();
        expect(manifest.icon).toBe('syntaxes/hyp-icon.png');
        expect(manifest.license).toBe('MIT');
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
