// Bundles the CLI and the benchmark runner with esbuild. Packages stay external: onnxruntime-node is native, and the CLI
// runs from the repository where node_modules is installed.
import { build } from 'esbuild';

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
