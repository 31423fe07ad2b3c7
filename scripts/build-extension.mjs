// Bundles the VS Code extension into dist/extension/: the extension host's entry (CommonJS, `vscode`
// external), the language server and the scrub worker (CommonJS, every package bundled except the
// native onnxruntime-node, which the worker alone loads), and the server's file-reading worker
// thread (ESM, the name the server looks for).
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { serverBuildOptions } from './build.mjs';

export const EXTENSION_OUT = 'dist/extension';

// CommonJS has no import.meta: give the engine's `createRequire(import.meta.url)` the bundle's URL.
const cjsImportMeta = {
    banner: { js: "const __hypImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__hypImportMetaUrl' },
};
const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning', metafile: true };

/** Builds the four bundles; returns the esbuild metafiles (for the checks below and the package script). */
export async function buildExtension() {
    const server = serverBuildOptions('cjs', EXTENSION_OUT);
    const { 'hyp-load-worker': loadWorker, ...cjsEntries } = server.entryPoints;
    const results = await Promise.all([
        build({ ...common, ...cjsImportMeta, entryPoints: { extension: 'client/extension.ts' }, outdir: EXTENSION_OUT, outExtension: { '.js': '.cjs' }, format: 'cjs', external: ['vscode'] }),
        build({ ...common, ...cjsImportMeta, entryPoints: cjsEntries, outdir: EXTENSION_OUT, outExtension: { '.js': '.cjs' }, format: 'cjs', external: ['onnxruntime-node'] }),
        build({
            ...common, entryPoints: { 'hyp-load-worker': loadWorker }, outdir: EXTENSION_OUT, outExtension: { '.js': '.mjs' }, format: 'esm',
            // Bundled CommonJS dependencies call require(): give the ESM bundle one.
            banner: { js: "import { createRequire as __hypCreateRequire } from 'node:module'; const require = __hypCreateRequire(import.meta.url);" },
        }),
    ]);
    // onnxruntime-node is native: only the worker may load it (DESIGN.md §4), never the editor's processes.
    for (const bundle of ['extension.cjs', 'hyp-language-server.cjs', 'hyp-load-worker.mjs']) {
        const text = readFileSync(`${EXTENSION_OUT}/${bundle}`, 'utf8');
        if (/require\(["']onnxruntime-node["']\)|from ["']onnxruntime-node["']/.test(text)) throw new Error(`${bundle} loads onnxruntime-node; only the scrub worker may`);
    }
    return results.map(r => r.metafile);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildExtension();
