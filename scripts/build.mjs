// Bundles the CLI and the benchmark runner with esbuild. Packages stay external: onnxruntime-node is native, and the CLI
// runs from the repository where node_modules is installed.
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Bundles the CLI and the benchmark runner into dist/. */
export async function buildCli() {
    await build({
        entryPoints: { cli: 'cli/main.ts', 'bench-case': 'bench/bench-case.ts', 'run-bench': 'bench/run-bench.ts' },
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
}

// The language server (`hyp-language-server`), the worker it reads large model and dataset
// files in, the scrub worker process it forks and that process's scrub threads, side by side (the server finds the worker next to itself). ESM for the bin; the VS Code
// extension's CommonJS bundle is `serverBuildOptions('cjs', <its outdir>)` with packages bundled.
export function serverBuildOptions(format, outdir) {
    return {
        entryPoints: { 'hyp-language-server': 'server/main.ts', 'hyp-load-worker': 'server/load-worker.ts', 'hyp-scrub-worker': 'engine/worker/scrub-worker.ts', 'hyp-scrub-thread': 'engine/parallel/scrub-thread.ts', 'hyp-probe-worker': 'engine/worker/probe-worker.ts' },
        outdir,
        outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
        bundle: true,
        platform: 'node',
        target: 'node22',
        format,
        packages: 'external',
        sourcemap: true,
        logLevel: 'warning',
    };
}

// Run as a script (npm run build, the test setup), not when imported for serverBuildOptions.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    await buildCli();
    await build(serverBuildOptions('esm', 'dist'));
}
