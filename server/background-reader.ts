// The language server's background reader: each large model or dataset is decoded in a worker
// thread (the bundled load-worker next to the server bundle). Where that bundle is absent (the
// server run from sources), the file is read in-process after the current validation finishes.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackgroundReader } from '../language/workspace/hyp-workspace-data.js';
import { readDataFile } from '../language/workspace/read-data-file.js';

/** The file name of the worker bundle, next to the server bundle (scripts/build.mjs writes both). */
export const LOAD_WORKER_BUNDLE = 'hyp-load-worker.mjs';

/** A reader that decodes in a worker thread when the worker bundle is there, else in-process off the current tick. */
export function createBackgroundReader(bundleDir = currentBundleDir()): BackgroundReader {
    const workerFile = join(bundleDir, LOAD_WORKER_BUNDLE);
    if (!existsSync(workerFile)) return (kind, path) => new Promise((resolve, reject) => {
        setImmediate(() => {
            try {
                resolve(readDataFile(kind, path));
            } catch (e) {
                reject(e);
            }
        });
    });
    return (kind, path) => new Promise((resolve, reject) => {
        const worker = new Worker(workerFile, { workerData: { kind, path } });
        worker.once('message', (m: { ok: true; value: ReturnType<typeof readDataFile> } | { ok: false; error: string }) => {
            if (m.ok) resolve(m.value);
            else reject(new Error(m.error));
            void worker.terminate();
        });
        worker.once('error', reject);
    });
}

/** The folder of the running bundle (ESM or, for the VS Code extension's CJS bundle, CommonJS). */
function currentBundleDir(): string {
    return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}
