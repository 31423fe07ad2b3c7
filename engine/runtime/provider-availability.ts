// Cheap checks for whether a GPU execution provider can start here, made before asking
// onnxruntime: a failed native attempt writes log lines to the user's terminal that no session
// option silences (CUDA's missing shared library, Dawn's missing Vulkan loader).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ProviderName } from './session.js';

/** Why `provider` cannot run on this machine, or undefined when it may (onnxruntime then decides). */
export function providerUnavailableReason(provider: ProviderName): string | undefined {
    if (process.platform !== 'linux') return undefined;
    if (provider === 'cuda') {
        const dir = bindingDir();
        if (dir !== undefined && !existsSync(join(dir, 'libonnxruntime_providers_cuda.so'))) {
            return 'the CUDA provider libraries are not installed (onnxruntime-node installs them only when its install script may download them)';
        }
    }
    if (provider === 'webgpu' && !findLibrary('libvulkan.so.1')) {
        return 'no Vulkan loader (libvulkan.so.1) on this machine';
    }
    return undefined;
}

/** What to do where `provider` cannot start: how to install what it needs, or which choice runs without it. */
export function providerInstallHint(provider: ProviderName): string {
    const otherwise = 'or choose the execution provider auto (the first that starts, CPU last) or cpu';
    if (provider === 'cuda') {
        return 'the CUDA provider needs onnxruntime-node\'s CUDA libraries, which ONNXRUNTIME_NODE_INSTALL=skip and npm 11 leave out: '
            + 'on a machine with an NVIDIA driver, CUDA 12 and cuDNN 9, fetch them with '
            + '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (downloads from NuGet); ' + otherwise;
    }
    if (provider === 'webgpu') {
        return 'WebGPU needs a Vulkan loader and a GPU with a Vulkan driver (Debian/Ubuntu: `apt-get install libvulkan1` and the GPU vendor\'s driver); ' + otherwise;
    }
    return otherwise;
}

function bindingDir(): string | undefined {
    try {
        const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
        // entry is <package>/dist/index.js; the native files sit in <package>/bin/napi-v6/<os>/<arch>.
        return join(dirname(dirname(entry)), 'bin', 'napi-v6', process.platform, process.arch);
    } catch {
        return undefined;
    }
}

function findLibrary(name: string): boolean {
    const dirs = [
        ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
        '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/lib',
    ];
    return dirs.some(d => existsSync(join(d, name)));
}
