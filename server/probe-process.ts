// The language server's model prober: each probe (engine/graph/probe.ts) runs in a forked process
// (the probe-worker bundle next to the server bundle), because it needs onnxruntime, which the
// server never loads: a native crash or a long run then costs the server nothing but a fallback
// to the shapes the file declares.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelProbe, ProbeRequest, ProbeResponse } from '../engine/graph/probe.js';
import type { PartEvidence } from '../engine/graph/perturb-queries.js';
import type { ModelProber, PartPerturber } from '../language/workspace/hyp-workspace-data.js';

/** The probe worker's file name, next to the server bundle and of its module format (scripts/build.mjs writes both). */
export const PROBE_WORKER_BUNDLE = typeof __dirname === 'string' ? 'hyp-probe-worker.cjs' : 'hyp-probe-worker.mjs';

/** A probe that runs longer than this is given up (the document keeps its declared shapes). */
const PROBE_TIMEOUT_MS = 120_000;

/** A prober that forks the probe worker per probe; undefined where the bundle is absent (the server run from sources). */
export function createProcessProber(workerPath = join(currentBundleDir(), PROBE_WORKER_BUNDLE)): ModelProber | undefined {
    if (!existsSync(workerPath)) return undefined;
    return (path, tensors, feeds) => forkRequest<ModelProbe>(workerPath, { path, tensors, feeds }, 'running the model for its shapes');
}

/** The numeric pass over part-level edges (graph/perturb-queries.ts) in the same worker; undefined where the bundle is absent. */
export function createProcessPerturber(workerPath = join(currentBundleDir(), PROBE_WORKER_BUNDLE)): PartPerturber | undefined {
    if (!existsSync(workerPath)) return undefined;
    return (path, perturb) => forkRequest<PartEvidence>(workerPath, { path, perturb }, 'perturbing parts of the model');
}

function forkRequest<T>(workerPath: string, request: ProbeRequest, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
        const child = fork(workerPath, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
        const timer = setTimeout(() => {
            reject(new Error(`${what} took over ${PROBE_TIMEOUT_MS / 1000} s`));
            child.kill();
        }, PROBE_TIMEOUT_MS);
        child.once('message', (m: ProbeResponse<T>) => {
            clearTimeout(timer);
            if (m.ok) resolve(m.value);
            else reject(new Error(m.error));
        });
        child.once('error', e => {
            clearTimeout(timer);
            reject(e);
        });
        child.once('exit', code => {
            clearTimeout(timer);
            // After a message this changes nothing (a promise settles once).
            reject(new Error(`the probe process exited with code ${code}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
        });
        child.send(request);
    });
}

function currentBundleDir(): string {
    return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}
