// Bundles the CLI with esbuild. Packages stay external: onnxruntime-node is native, and the CLI
// runs from the repository where node_modules is installed.
import { build } from 'esbuild';

await build({
    entryPoints: { cli: 'cli/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
});
