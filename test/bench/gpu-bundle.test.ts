// Issue 14: the GPU bench must run from a self-contained bundle on a machine that may have no Node.
// No GPU is lent to CI, so this is the CPU path of that bundle: made by bench/gpu/make-gpu-bundle.sh
// (as a folder: xz takes a minute), run by bench/gpu/run-gpu-bench.sh with a PATH that holds no
// Node of ours. A CPU case must give its known answer; a GPU case must either run on a GPU provider
// or stop and say why, never quietly run its roots on the CPU.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'hyp-gpu-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type BenchCase = { name: string; provider?: string; gpu?: string | null; skipped?: string; lossRecovered?: number; roots?: number };

describe('the GPU bench bundle, on the CPU path', () => {
    it('is made as a folder with its own Node, onnxruntime and runner, and runs a CPU case and a GPU case from it', () => {
        const made = spawnSync('bash', [join(ROOT, 'bench/gpu/make-gpu-bundle.sh'), '--dir', work], { encoding: 'utf8', cwd: ROOT });
        expect(made.status, made.stderr).toBe(0);
        const bundle = join(work, 'hyp-gpu-bench');
        for (const f of ['bin/node', 'dist/run-bench.mjs', 'dist/bench-case.mjs', 'dist/hyp-scrub-thread.mjs',
            'node_modules/onnxruntime-node/package.json', 'node_modules/onnxruntime-common/package.json']) {
            expect(existsSync(join(bundle, f)), f).toBe(true);
        }
        expect(execFileSync(join(bundle, 'bin/node'), ['--version'], { encoding: 'utf8' })).toMatch(/^v(2[2-9]|[3-9]\d)\./);
        // Debian's Vulkan loader is in it, or making it said that it could not be fetched.
        const loader = join(bundle, 'lib/vulkan/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
        expect(existsSync(loader) || made.stderr.includes('apt-get download libvulkan1 failed'), made.stderr).toBe(true);

        const out = join(work, 'out');
        execFileSync('mkdir', ['-p', out]);
        const ran = spawnSync('bash', [join(ROOT, 'bench/gpu/run-gpu-bench.sh'), bundle,
            '--case', 'toy/correct', '--case', 'paren/claim1@gpu100k', '--roots', '200', '--json'], {
            encoding: 'utf8', cwd: ROOT, env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? work, OUT: out },
        });
        expect(ran.status, ran.stderr + ran.stdout).toBe(0);
        expect(ran.stdout).toContain(`node ${execFileSync(join(bundle, 'bin/node'), ['--version'], { encoding: 'utf8' }).trim()} from the bundle`);
        const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cases: BenchCase[] };
        const [cpu, gpu] = results.cases;
        expect(cpu).toMatchObject({ name: 'toy/correct', roots: 200, provider: 'cpu', lossRecovered: 1 });
        expect(gpu!.name).toBe('paren/claim1@gpu100k');
        if (gpu!.skipped !== undefined) {
            expect(gpu!.skipped).toBe('no GPU provider started');
            expect(gpu!.gpu).toMatch(/cuda: .+; webgpu: .+/);
            expect(gpu!.lossRecovered).toBeUndefined();
        } else {
            expect(gpu!.provider).not.toBe('cpu');
            expect(gpu!.lossRecovered).toBeTypeOf('number');
        }
    }, 120_000);
});
