// The scrub worker process the language server forks (the bundled dist/hyp-scrub-worker.mjs), driven
// over its IPC channel as the supervisor does: the editor's rule for execution providers is the
// CLI's (a named provider that cannot start fails the job; auto falls back and says why).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerUnavailableReason } from '../../engine/runtime/provider-availability.js';
import type { ProviderChoice } from '../../engine/runtime/session.js';
import type { FromWorker, WorkerScrubOptions } from '../../engine/worker/protocol.js';
import { root } from '../fixtures/cli.js';
import { nothing, spec } from '../fixtures/toy-spec.js';

let worker: ChildProcess;
const messages: FromWorker[] = [];

beforeAll(async () => {
    worker = fork(join(root, 'dist/hyp-scrub-worker.mjs'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    worker.on('message', m => messages.push(m as FromWorker));
    await new Promise<void>(done => worker.once('message', () => done()));
});

afterAll(() => {
    worker.kill();
});

let nextId = 1;
/** Runs one job and returns the worker's final message for it (result or error) and its log lines. */
async function job(ep: ProviderChoice): Promise<{ last: FromWorker; log: string[] }> {
    const id = nextId++;
    const from = messages.length;
    const options: WorkerScrubOptions = { hypotheses: ['nothing'], samples: 40, ep, perExample: false, allowFeaturesModule: false };
    worker.send({ type: 'scrub', id, spec: { ...spec, hypotheses: [nothing] }, options });
    for (;;) {
        const last = messages.slice(from).find(m => (m.type === 'result' || m.type === 'error') && m.id === id);
        if (last) return { last, log: messages.slice(from).flatMap(m => (m.type === 'log' ? [m.line] : [])) };
        await new Promise(r => setTimeout(r, 20));
    }
}

describe('the scrub worker and execution providers', () => {
    it('fails a job whose named provider cannot start, with the reason and how to install it', async () => {
        for (const ep of ['webgpu', 'cuda'] as const) {
            const known = providerUnavailableReason(ep);
            const { last } = await job(ep);
            if (known === undefined) {
                // A machine with this GPU provider: it ran there, or failed saying why.
                expect(last.type === 'result' ? last.results[0].provider : last.type === 'error' ? last.error.code : '').toMatch(new RegExp(`^(${ep}|provider-unavailable)$`));
                continue;
            }
            expect(last.type).toBe('error');
            if (last.type !== 'error') continue;
            expect(last.error).toMatchObject({ code: 'provider-unavailable', message: `the ${ep} execution provider cannot start here: ${known}` });
            expect(last.error.hint).toMatch(ep === 'cuda' ? /ONNXRUNTIME_NODE_INSTALL=cuda12/ : /libvulkan1/);
        }
    });

    it('runs an auto job on the first provider that starts and logs why the others did not', async () => {
        const { last, log } = await job('auto');
        expect(last.type).toBe('result');
        if (last.type !== 'result') return;
        const [r] = last.results;
        expect(r.providerFallbacks.map(f => f.split(':')[0])).toEqual(['cuda', 'webgpu'].slice(0, r.providerFallbacks.length));
        const why = r.providerFallbacks.length > 0 ? ` (${r.providerFallbacks.join('; ')})` : '';
        expect(log.some(l => l.startsWith('nothing: loss recovered ') && l.includes(` on ${r.provider}${why}, `))).toBe(true);
    });
});
