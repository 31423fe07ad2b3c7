// `npm run package`: hyp-<version>.vsix with the esbuild bundles, the grammar, language
// configuration, snippets and icon, and onnxruntime-node's JavaScript with its linux-x64 native
// files only (binding and shared library, read through any link; other platforms' binaries and
// the CUDA provider left out). The package.json inside is the manifest without the development keys.
import { pathToFileURL } from 'node:url';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { buildExtension, EXTENSION_OUT } from './build-extension.mjs';
import { listZip, zip } from './vsix/zip.mjs';

const MAX_BYTES = 40 * 1024 * 1024;
const require = createRequire(import.meta.url);

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
    const { scripts: _s, dependencies: _d, devDependencies: _dd, bin: _b, private: _p, type: _t, ...rest } = pkg;
    return { ...rest, engines: { vscode: pkg.engines.vscode } };
}

function vsixManifest(pkg) {
    const esc = s => String(s).replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);
    return `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${esc(pkg.name)}" Version="${esc(pkg.version)}" Publisher="${esc(pkg.publisher)}" TargetPlatform="linux-x64"/>
    <DisplayName>${esc(pkg.displayName)}</DisplayName>
    <Description xml:space="preserve">${esc(pkg.description)}</Description>
    <Tags>hyp,causal scrubbing,interpretability,onnx</Tags>
    <Categories>${esc(pkg.categories.join(','))}</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${esc(pkg.engines.vscode)}"/>
      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value=""/>
      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value=""/>
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace"/>
      <Property Id="Microsoft.VisualStudio.Code.LocalizedLanguages" Value=""/>
    </Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code"/></Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true"/>
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true"/>
  </Assets>
</PackageManifest>
`;
}

function contentTypes(paths) {
    const types = { '.json': 'application/json', '.vsixmanifest': 'text/xml', '.md': 'text/markdown', '.svg': 'image/svg+xml' };
    const exts = [...new Set(paths.map(p => (/\.[^./]+$/.exec(p) ?? [''])[0]).filter(Boolean))].sort();
    return `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${exts.map(e => `<Default Extension="${e}" ContentType="${types[e] ?? 'application/octet-stream'}"/>`).join('')}</Types>
`;
}

/** Builds the bundles and writes the .vsix; returns its path and listing. */
export async function packageVsix() {
    await buildExtension();
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const files = [];
    const add = (path, data) => files.push({ path: `extension/${path}`, data });
    add('package.json', Buffer.from(JSON.stringify(manifest(pkg), null, 2)));
    add('README.md', readFileSync('README.md'));
    for (const [abs, rel] of filesUnder(EXTENSION_OUT, p => !p.endsWith('.map'))) add(`${EXTENSION_OUT}/${rel}`, readFileSync(abs));
    for (const name of ['hyp.tmLanguage.json', 'language-configuration.json', 'hyp.snippets.json', 'hyp-file-icon.svg']) add(`syntaxes/${name}`, readFileSync(`syntaxes/${name}`));
    const ort = packageRoot('onnxruntime-node');
    const native = 'bin/napi-v6/linux/x64/';
    for (const [abs, rel] of filesUnder(ort, p => p === 'package.json' || /^dist\/[^/]+\.js$/.test(p)
        || p === `${native}onnxruntime_binding.node` || p === `${native}libonnxruntime.so.1`)) add(`node_modules/onnxruntime-node/${rel}`, readFileSync(abs));
    // Resolved as onnxruntime-node resolves it.
    const common = packageRoot('onnxruntime-common', createRequire(join(ort, 'package.json')));
    for (const [abs, rel] of filesUnder(common, p => p === 'package.json' || p === 'dist/cjs/package.json' || /^dist\/cjs\/.+\.js$/.test(p))) add(`node_modules/onnxruntime-common/${rel}`, readFileSync(abs));
    files.push({ path: 'extension.vsixmanifest', data: Buffer.from(vsixManifest(pkg)) });
    files.unshift({ path: '[Content_Types].xml', data: Buffer.from(contentTypes(files.map(f => f.path))) });
    const archive = zip(files);
    const out = `${pkg.name}-${pkg.version}.vsix`;
    writeFileSync(out, archive);
    const listing = listZip(archive);
    // What the extension host, the client (client/language-client.ts) and the server load by path.
    const required = [pkg.main.replace(/^\.\//, ''), `${EXTENSION_OUT}/hyp-language-server.cjs`, `${EXTENSION_OUT}/hyp-scrub-worker.cjs`,
        `${EXTENSION_OUT}/hyp-scrub-thread.cjs`, `${EXTENSION_OUT}/hyp-probe-worker.cjs`, `${EXTENSION_OUT}/hyp-load-worker.mjs`, `node_modules/onnxruntime-node/${native}onnxruntime_binding.node`,
        `node_modules/onnxruntime-node/${native}libonnxruntime.so.1`];
    for (const path of required) {
        if (!listing.some(e => e.path === `extension/${path}`)) throw new Error(`${out} lacks ${path}`);
    }
    if (archive.length > MAX_BYTES) throw new Error(`${out} is ${(archive.length / 2 ** 20).toFixed(1)} MiB, over the 40 MiB budget`);
    return { path: out, bytes: archive.length, listing };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const { path, bytes, listing } = await packageVsix();
    console.log(`${path}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${listing.length} files`);
}
