// `npm run package`: one platform-specific .vsix per target that onnxruntime-node ships binaries for
// (hyp-<version>-<target>.vsix), made by @vscode/vsce from a staged folder: the manifest without the
// development keys, the esbuild bundles, the grammar, language configuration, snippets and icons,
// the extension page (client/README.md), CHANGELOG.md, LICENSE and the third-party notices of what
// the bundles carry (vsix/third-party-notices.mjs), and onnxruntime-node's
// JavaScript with the target's native files only (read through any link; the CUDA provider, which
// is never installed, is not there). onnxruntime goes next to the bundles (dist/extension/
// node_modules), where the worker's require finds it: vsce's own dependency handling would run
// `npm list` on a tree we stage by hand.
import { pathToFileURL } from 'node:url';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { buildExtension, EXTENSION_OUT } from './build-extension.mjs';
import { listZip } from './vsix/read-zip.mjs';
import { bundledPackages, noticesText } from './vsix/third-party-notices.mjs';

const require = createRequire(import.meta.url);

/** VS Code's platform targets and where onnxruntime-node keeps each one's native files. */
export const TARGETS = {
    'linux-x64': 'linux/x64',
    'linux-arm64': 'linux/arm64',
    'darwin-arm64': 'darwin/arm64',
    'win32-x64': 'win32/x64',
    'win32-arm64': 'win32/arm64',
};

/** Each package stays under this size (the largest, Windows with DirectML, is about 40 MiB). */
const MAX_BYTES = 64 * 1024 * 1024;
const STAGE = 'node_modules/.cache/hyp-vsix';
/** Where the bundles find onnxruntime-node inside the package. */
export const ORT_IN_PACKAGE = `${EXTENSION_OUT}/node_modules`;

/** Files under `dir` (recursively) whose path matches `keep`, as [absolute, path inside dir]. */
function filesUnder(dir, keep = () => true) {
    const out = [];
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        const abs = join(entry.parentPath, entry.name);
        const rel = relative(dir, abs).split('\\').join('/');
        // statSync follows links: a linked library is copied as the file it points to.
        if (statSync(abs).isFile() && keep(rel)) out.push([abs, rel]);
    }
    return out;
}

/** The folder of an installed package (found from its entry point: not every package exports ./package.json). */
function packageRoot(name, from = require) {
    let dir = dirname(from.resolve(name));
    while (!(existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === name)) {
        if (dirname(dir) === dir) throw new Error(`cannot find the folder of ${name}`);
        dir = dirname(dir);
    }
    return dir;
}

/** The extension's manifest: the repository's package.json less what only development needs. */
function manifest(pkg) {
    const { scripts: _s, dependencies: _d, devDependencies: _dd, bin: _b, private: _p, type: _t, allowScripts: _a, ...rest } = pkg;
    // `files` says what vsce packs: everything staged (it warns without a list).
    return { ...rest, engines: { vscode: pkg.engines.vscode }, files: [`${EXTENSION_OUT}/**`, 'syntaxes/**', 'README.md', 'CHANGELOG.md', 'LICENSE', 'ThirdPartyNotices.txt'] };
}

/** Copies each [absolute, relative] file to `to`/relative. */
function copyAll(files, to) {
    for (const [abs, rel] of files) {
        mkdirSync(dirname(join(to, rel)), { recursive: true });
        copyFileSync(abs, join(to, rel));
    }
}

/** The folder vsce packs for one target. */
function stage(target, pkg, notices) {
    const dir = join(STAGE, target);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest(pkg), null, 2));
    copyFileSync('client/README.md', join(dir, 'README.md'));
    copyFileSync('CHANGELOG.md', join(dir, 'CHANGELOG.md'));
    copyFileSync('LICENSE', join(dir, 'LICENSE'));
    writeFileSync(join(dir, 'ThirdPartyNotices.txt'), notices);
    copyAll(filesUnder(EXTENSION_OUT, p => !p.endsWith('.map')).map(([a, r]) => [a, `${EXTENSION_OUT}/${r}`]), dir);
    copyAll(['hyp.tmLanguage.json', 'language-configuration.json', 'hyp.snippets.json', 'hyp-file-icon.svg', 'hyp-icon.png']
        .map(name => [`syntaxes/${name}`, `syntaxes/${name}`]), dir);
    const ort = packageRoot('onnxruntime-node');
    const native = `bin/napi-v6/${TARGETS[target]}/`;
    copyAll(filesUnder(ort, p => p === 'package.json' || /^dist\/[^/]+\.js$/.test(p) || (p.startsWith(native) && !p.slice(native.length).includes('/')))
        .map(([a, r]) => [a, `${ORT_IN_PACKAGE}/onnxruntime-node/${r}`]), dir);
    // Resolved as onnxruntime-node resolves it.
    const common = packageRoot('onnxruntime-common', createRequire(join(ort, 'package.json')));
    copyAll(filesUnder(common, p => p === 'package.json' || p === 'dist/cjs/package.json' || /^dist\/cjs\/.+\.js$/.test(p))
        .map(([a, r]) => [a, `${ORT_IN_PACKAGE}/onnxruntime-common/${r}`]), dir);
    return dir;
}

/** Builds the bundles once and writes the .vsix of each target (all of TARGETS by default); returns each one's path, size and listing. */
export async function packageVsix(targets = Object.keys(TARGETS)) {
    const metafiles = await buildExtension();
    const ort = packageRoot('onnxruntime-node');
    const common = packageRoot('onnxruntime-common', createRequire(join(ort, 'package.json')));
    const notices = noticesText(bundledPackages(metafiles, [relative(process.cwd(), ort), relative(process.cwd(), common)]));
    const { createVSIX } = await import('@vscode/vsce');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const packages = [];
    for (const target of targets) {
        if (!(target in TARGETS)) throw new Error(`unknown target ${target} (targets: ${Object.keys(TARGETS).join(', ')})`);
        const dir = stage(target, pkg, notices);
        const out = `${pkg.name}-${pkg.version}-${target}.vsix`;
        // No repository yet: the project has no public URL to give (the extension page's links are absolute).
        await createVSIX({ cwd: dir, packagePath: join(process.cwd(), out), target, dependencies: false, allowMissingRepository: true });
        const bytes = statSync(out).size;
        const listing = listZip(readFileSync(out));
        // What the extension host, the client (client/language-client.ts) and the server load by path.
        const nativeDir = `${ORT_IN_PACKAGE}/onnxruntime-node/bin/napi-v6/${TARGETS[target]}`;
        const required = [pkg.main.replace(/^\.\//, ''), `${EXTENSION_OUT}/hyp-language-server.cjs`, `${EXTENSION_OUT}/hyp-scrub-worker.cjs`,
            `${EXTENSION_OUT}/hyp-scrub-thread.cjs`, `${EXTENSION_OUT}/hyp-probe-worker.cjs`, `${EXTENSION_OUT}/hyp-load-worker.mjs`, `${nativeDir}/onnxruntime_binding.node`];
        for (const path of required) {
            if (!listing.some(e => e.path === `extension/${path}`)) throw new Error(`${out} lacks ${path}`);
        }
        if (bytes > MAX_BYTES) throw new Error(`${out} is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the ${MAX_BYTES / 2 ** 20} MiB budget`);
        packages.push({ target, path: out, bytes, listing });
    }
    return packages;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    // `npm run package -- linux-x64` packs one target.
    const targets = process.argv.slice(2);
    for (const { path, bytes, listing } of await packageVsix(targets.length > 0 ? targets : undefined)) {
        console.log(`${path}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${listing.length} files`);
    }
}
