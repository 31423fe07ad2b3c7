// Scrub threads (worker_threads) of one prepared spec: each prepares the spec itself, with its own
// sessions on a fixed number of onnxruntime threads, and scrubs the blocks of roots it is given.
// A thread that fails or dies fails the run at once, with the others told to stop; nothing waits
// on a thread that is gone.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { HypError, fromErrorFields } from '../errors.js';
import type { PrepareOptions } from '../prepare.js';
import type { ScrubSpec } from '../spec.js';
import type { RootValues } from '../score/summary.js';
import type { FromThread, RootsJob, ThreadData } from './thread-protocol.js';

/** One block of roots for one thread. */
export type BlockJob = Omit<RootsJob, 'type' | 'id'>;

export interface PoolRunOptions {
    signal?: AbortSignal;
    /** Called once when the run fails, before the other threads are waited for (to release what they wait on). */
    onFailure?: () => void;
    onProgress?: (block: number, fraction: number) => void;
}

interface Thread {
    worker: Worker;
    ready: Promise<void>;
    /** The job in flight: its handlers. */
    current?: { id: number; resolve: (v: { values: RootValues; cleanSeen: Uint8Array }) => void; reject: (e: Error) => void; progress: (f: number) => void };
    /** Why the thread is gone, once it is. */
    dead?: Error;
}

export class ScrubPool {
    readonly size: number;
    /** onnxruntime threads of each thread's sessions. */
    readonly intraOp: number | undefined;
    private readonly threads: Thread[];
    private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
    private nextId = 1;

    constructor(spec: ScrubSpec, prepare: PrepareOptions, size: number, script = threadScript()) {
        this.size = size;
        this.intraOp = prepare.intraOpThreads;
        const workerData: ThreadData = { spec, prepare, cancel: this.cancel.buffer as SharedArrayBuffer };
        this.threads = Array.from({ length: size }, () => this.start(script, workerData));
    }

    /** Whether a thread has died: the pool cannot run again. */
    get broken(): boolean {
        return this.threads.some(t => t.dead !== undefined);
    }

    /** The workers, for tests that kill one. */
    get workers(): readonly Worker[] {
        return this.threads.map(t => t.worker);
    }

    /** Runs block k on thread k; the blocks' results in order, or the first failure once every thread has stopped. */
    async run(blocks: BlockJob[], opts: PoolRunOptions = {}): Promise<{ values: RootValues; cleanSeen: Uint8Array }[]> {
        if (blocks.length > this.size) throw new Error(`${blocks.length} blocks for ${this.size} scrub threads`);
        Atomics.store(this.cancel, 0, opts.signal?.aborted ? 1 : 0);
        const onAbort = () => Atomics.store(this.cancel, 0, 1);
        opts.signal?.addEventListener('abort', onAbort);
        let failed = false;
        const fail = () => {
            if (failed) return;
            failed = true;
            Atomics.store(this.cancel, 0, 1);
            opts.onFailure?.();
        };
        try {
            const settled = await Promise.allSettled(blocks.map(async (block, k) => {
                const thread = this.threads[k];
                try {
                    await thread.ready;
                    return await this.runOn(thread, block, f => opts.onProgress?.(k, f));
                } catch (e) {
                    fail();
                    throw e;
                }
            }));
            const errors = settled.flatMap(s => (s.status === 'rejected' ? [s.reason as Error] : []));
            // The thread that failed first says why; the others only stopped because it did.
            if (errors.length > 0) throw errors.find(e => !(e instanceof HypError && e.code === 'cancelled')) ?? errors[0];
            return settled.map(s => (s as PromiseFulfilledResult<{ values: RootValues; cleanSeen: Uint8Array }>).value);
        } finally {
            opts.signal?.removeEventListener('abort', onAbort);
            if (opts.signal?.aborted) throw new HypError('scrubbing was cancelled', 'cancelled');
        }
    }

    async dispose(): Promise<void> {
        await Promise.all(this.threads.map(t => t.worker.terminate()));
    }

    private start(script: string, workerData: ThreadData): Thread {
        const worker = new Worker(script, { workerData });
        // A starting thread keeps the process alive (a run may be waiting for it), as does a job in
        // flight (runOn); an idle one does not.
        const thread: Thread = { worker, ready: Promise.resolve() };
        thread.ready = new Promise<void>((resolve, reject) => {
            const die = (e: Error) => {
                thread.dead ??= e;
                reject(thread.dead);
                thread.current?.reject(thread.dead);
                thread.current = undefined;
            };
            worker.on('message', (m: FromThread) => {
                if (m.type === 'ready') {
                    worker.unref();
                    resolve();
                }
                else if (m.type === 'prepare-failed') die(fromErrorFields(m.error));
                else if (thread.current?.id !== m.id) return;
                else if (m.type === 'progress') thread.current.progress(m.fraction);
                else if (m.type === 'done') thread.current.resolve({ values: m.values, cleanSeen: m.cleanSeen });
                else if (m.type === 'failed') thread.current.reject(fromErrorFields(m.error));
            });
            worker.on('error', e => die(new HypError(`a scrub thread failed: ${e.message}`, 'thread-crashed', undefined, 'run again with --threads 1 to scrub in one thread')));
            worker.on('exit', code => die(new HypError(`a scrub thread stopped unexpectedly (exit code ${code})`, 'thread-crashed', undefined,
                'run again with --threads 1 to scrub in one thread')));
        });
        // A failed start is reported by the run that waits for it.
        thread.ready.catch(() => undefined);
        return thread;
    }

    private runOn(thread: Thread, block: BlockJob, progress: (f: number) => void): Promise<{ values: RootValues; cleanSeen: Uint8Array }> {
        if (thread.dead) return Promise.reject(thread.dead);
        const id = this.nextId++;
        const job: RootsJob = { ...block, type: 'roots', id };
        thread.worker.ref();
        return new Promise<{ values: RootValues; cleanSeen: Uint8Array }>((resolve, reject) => {
            thread.current = { id, resolve, reject, progress };
            thread.worker.postMessage(job);
        }).finally(() => {
            thread.current = undefined;
            thread.worker.unref();
        });
    }
}

/**
 * The thread's bundle, next to the bundle this code runs from (dist/, or the extension's
 * dist/extension/ as CommonJS); from the sources (the tests), the one the build put in dist/.
 */
export function threadScript(): string {
    // The extension's CommonJS bundles define import.meta.url as their own file's URL.
    const here = fileURLToPath(import.meta.url);
    const name = here.endsWith('.cjs') ? 'hyp-scrub-thread.cjs' : 'hyp-scrub-thread.mjs';
    const candidates = [new URL(name, import.meta.url), new URL(`../../dist/${name}`, import.meta.url)].map(u => fileURLToPath(u));
    const found = candidates.find(p => existsSync(p));
    if (found === undefined) {
        throw new HypError(`the scrub thread bundle ${name} is missing (looked in ${candidates.join(', ')})`, 'thread-bundle-missing', undefined,
            'run `npm run build`, or scrub in one thread with --threads 1');
    }
    return found;
}
