// The scrub worker: a Node process the language server forks, and, with the CLI, the only place
// onnxruntime-node is loaded, so that a native crash or a long synchronous `session.run` never
// reaches the editor. It runs one job at a time and is killed, not asked, to stop: native work
// cannot be interrupted from JavaScript.
import { errorFields } from '../errors.js';
import { scrub, type ScrubProgress } from '../scrub.js';
import type { FromWorker, ToWorker, WorkerScrubOptions } from './protocol.js';
import { runExploreJob } from './explore-job.js';
import type { ScrubSpec } from '../spec.js';

/** Progress messages are sent at most this often: the supervisor only redraws a code lens. */
const PROGRESS_INTERVAL_MS = 100;

function send(message: FromWorker): void {
    process.send?.(message);
}

function log(line: string): void {
    send({ type: 'log', line });
}

/** Runs one job and reports its result or error; never throws. */
export async function runJob(id: number, spec: ScrubSpec, options: WorkerScrubOptions, post: (m: FromWorker) => void): Promise<void> {
    const started = performance.now();
    try {
        if (spec.featuresModule && !options.allowFeaturesModule) {
            throw Object.assign(new Error(`the features module ${spec.featuresModule} is user code and this workspace is not trusted`), { code: 'untrusted-features' });
        }
        let last = 0;
        const onProgress = (p: ScrubProgress) => {
            const now = performance.now();
            if (p.fraction < 1 && now - last < PROGRESS_INTERVAL_MS) return;
            last = now;
            post({ type: 'progress', id, hypothesis: p.hypothesis, fraction: p.fraction, index: p.index, count: p.count });
        };
        const results = await scrub(spec, {
            hypotheses: options.hypotheses,
            samples: options.samples,
            seed: options.seed,
            ep: options.ep,
            threads: options.threads,
            exec: options.exec,
            deviceMemory: options.deviceMemory,
            perExample: options.perExample,
            onProgress,
            // The server writes log lines to the language server's output channel.
            onNotice: line => post({ type: 'log', line }),
        });
        for (const r of results) {
            post({ type: 'log', line: `${r.hypothesis}: loss recovered ${(100 * r.lossRecovered).toFixed(1)}% on ${r.provider}${r.providerFallbacks.length ? ` (${r.providerFallbacks.join('; ')})` : ''}, ${r.seconds.toFixed(2)} s` });
        }
        post({ type: 'log', line: `job ${id} done in ${((performance.now() - started) / 1000).toFixed(2)} s` });
        post({ type: 'result', id, results });
    } catch (e) {
        post({ type: 'error', id, error: errorFields(e) });
    }
}

function main(): void {
    // Without a parent there is nobody to report to: the module was imported, not forked.
    if (!process.send) return;
    // The parent went away (language server exit or crash): never outlive it.
    process.on('disconnect', () => process.exit(0));
    let queue = Promise.resolve();
    process.on('message', (message: ToWorker) => {
        if (message.type === 'explore') {
            log(`job ${message.id}: ${message.options.kind} ${message.options.hypothesis} of ${message.spec.modelPath}`);
            queue = queue.then(() => runExploreJob(message.id, message.spec, message.options, send));
            return;
        }
        if (message.type !== 'scrub') return;
        log(`job ${message.id}: ${message.options.hypotheses.join(', ')} of ${message.spec.modelPath} (ep ${message.options.ep}${message.options.samples ? `, ${message.options.samples} samples` : ''})`);
        queue = queue.then(() => runJob(message.id, message.spec, message.options, send));
    });
    send({ type: 'ready', pid: process.pid });
}

main();
