// A scrub thread (worker_threads): prepares the spec it was started with, says so, then scrubs
// the blocks of roots the main thread sends, one at a time (engine/parallel/scrub-pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { errorFields, HypError } from '../errors.js';
import { CleanCache } from '../execute/clean-cache.js';
import { prepareScrub, type PreparedScrub } from '../prepare.js';
import { scrubBlock } from '../scrub.js';
import type { HypothesisSpec } from '../spec.js';
import type { FromThread, RootsJob, ThreadData } from './thread-protocol.js';

/** Hypotheses a thread keeps with their feature classes, most recently used. */
const KEPT_HYPOTHESES = 8;

/** Progress is sent at most this often. */
const PROGRESS_INTERVAL_MS = 100;

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
    const data = workerData as ThreadData;
    const cancel = new Int32Array(data.cancel);
    const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
    let prepared: PreparedScrub;
    try {
        prepared = await prepareScrub(data.spec, data.prepare);
    } catch (e) {
        post({ type: 'prepare-failed', error: errorFields(e) });
        return;
    }
    // The same hypothesis arrives as a new object with every job; its feature classes are computed
    // once. The last few are kept (prepared.planNodes holds them weakly): exploration sends a new
    // candidate with nearly every job, and kept them all.
    const hypotheses = new Map<string, HypothesisSpec>();
    const run = async (job: RootsJob) => {
        const key = JSON.stringify(job.hypothesis);
        let hypothesis = hypotheses.get(key);
        if (hypothesis === undefined) hypothesis = job.hypothesis;
        // Most recently used last: a Map iterates in insertion order.
        hypotheses.delete(key);
        hypotheses.set(key, hypothesis);
        if (hypotheses.size > KEPT_HYPOTHESES) hypotheses.delete(hypotheses.keys().next().value!);
        let last = 0;
        const { values, cleanSeen } = await scrubBlock(prepared, hypothesis, {
            seed: job.seed,
            range: job.range,
            chunkSize: job.chunkSize,
            batchSize: job.batchSize,
            cache: job.cache === undefined ? undefined : CleanCache.attach(prepared.runner, job.cache),
            cleanTensors: new Set(job.cleanTensors),
            checkCancelled: () => {
                if (Atomics.load(cancel, 0) !== 0) throw new HypError('scrubbing was cancelled', 'cancelled');
            },
            onFraction: fraction => {
                const now = performance.now();
                if (now - last < PROGRESS_INTERVAL_MS) return;
                last = now;
                post({ type: 'progress', id: job.id, fraction });
            },
        });
        post({ type: 'done', id: job.id, values, cleanSeen },
            [values.clean.buffer, values.scrubbed.buffer, values.random.buffer, values.examples.buffer, cleanSeen.buffer] as ArrayBuffer[]);
    };
    let queue = Promise.resolve();
    port.on('message', (job: RootsJob) => {
        queue = queue.then(() => run(job).catch(e => post({ type: 'failed', id: job.id, error: errorFields(e) })));
    });
    post({ type: 'ready' });
}

if (parentPort) void main(parentPort);
