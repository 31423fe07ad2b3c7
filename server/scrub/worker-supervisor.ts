// Owns the scrub worker process: forks it on demand, hands it one job at a time, turns its
// messages into progress and log lines, and kills it on cancel, on idle and on shutdown. A worker
// that dies mid-job (a JavaScript or a native crash, or a kill from outside) fails that job with
// the log's last lines; the next job forks a fresh worker. Nothing the worker does can throw here.
import type { ChildProcess } from 'node:child_process';
import type { ScrubResult } from '../../engine/result.js';
import type { ScrubSpec } from '../../engine/spec.js';
import type { ExploreOutcome, FromWorker, ToWorker, WorkerError, WorkerExploreOptions, WorkerScrubOptions } from '../../engine/worker/protocol.js';

/** Why a job ended without a result. */
export class ScrubJobError extends Error {
    constructor(
        readonly kind: 'cancelled' | 'crashed' | 'failed',
        message: string,
        /** The worker's last log lines, for the error message's "Show log". */
        readonly logTail: string[] = [],
        readonly detail?: WorkerError,
    ) {
        super(message);
        this.name = 'ScrubJobError';
    }
}

export interface RunHooks {
    /** Overall fraction 0..1 over the job's hypotheses. */
    onProgress?: (fraction: number) => void;
    signal?: AbortSignal;
}

export interface SupervisorOptions {
    /** Forks a worker; its stdout and stderr should be pipes (they go to the log). */
    spawn: () => ChildProcess;
    onLog: (line: string) => void;
    /** An idle worker exits after this long (it keeps onnxruntime loaded between jobs until then). */
    idleMs?: number;
    /** After SIGTERM, how long before SIGKILL. */
    killGraceMs?: number;
}

const LOG_TAIL = 30;

export class WorkerSupervisor {
    private child?: ChildProcess;
    private busy = false;
    private nextId = 1;
    private idleTimer?: NodeJS.Timeout;
    private readonly tail: string[] = [];
    private readonly idleMs: number;
    private readonly killGraceMs: number;

    constructor(private readonly options: SupervisorOptions) {
        this.idleMs = options.idleMs ?? 120_000;
        this.killGraceMs = options.killGraceMs ?? 300;
    }

    /** The live worker's process id, if one is running. */
    get pid(): number | undefined {
        return this.child?.pid;
    }

    /** Runs one scrub job on the worker (forking it if needed); rejects with a ScrubJobError. */
    run(spec: ScrubSpec, options: WorkerScrubOptions, hooks: RunHooks = {}): Promise<ScrubResult[]> {
        return this.job(id => ({ type: 'scrub', id, spec, options }), m => (m.type === 'result' ? m.results : undefined), hooks);
    }

    /** Runs one exploration job (discover or challenge) on the worker; rejects with a ScrubJobError. */
    explore(spec: ScrubSpec, options: WorkerExploreOptions, hooks: RunHooks = {}): Promise<ExploreOutcome> {
        return this.job(id => ({ type: 'explore', id, spec, options }), m => (m.type === 'explored' ? m.outcome : undefined), hooks);
    }

    /** One job: `message` is sent with the job's id, `outcome` picks the answer out of the worker's messages for it. */
    private job<T>(message: (id: number) => ToWorker, outcome: (m: FromWorker) => T | undefined, hooks: RunHooks): Promise<T> {
        if (this.busy) return Promise.reject(new Error('the worker supervisor runs one job at a time'));
        if (hooks.signal?.aborted) return Promise.reject(new ScrubJobError('cancelled', 'scrubbing was cancelled'));
        clearTimeout(this.idleTimer);
        this.tail.length = 0;
        let child: ChildProcess;
        try {
            child = this.child ?? this.start();
        } catch (e) {
            return Promise.reject(new ScrubJobError('crashed', `cannot start the scrub worker: ${(e as Error).message}`, [...this.tail]));
        }
        this.busy = true;
        const id = this.nextId++;
        return new Promise<T>((resolve, reject) => {
            const finish = (error: ScrubJobError | undefined, results?: T) => {
                child.off('message', onMessage);
                child.off('exit', onExit);
                hooks.signal?.removeEventListener('abort', onAbort);
                this.busy = false;
                if (this.child === child) this.scheduleIdle();
                if (error) reject(error);
                else resolve(results!);
            };
            const onMessage = (m: FromWorker) => {
                if (m.type === 'progress' && m.id === id) hooks.onProgress?.(Math.min(1, (m.index + m.fraction) / Math.max(1, m.count)));
                else if ((m.type === 'result' || m.type === 'explored') && m.id === id) {
                    const answer = outcome(m);
                    if (answer !== undefined) finish(undefined, answer);
                }
                else if (m.type === 'error' && m.id === id) {
                    finish(new ScrubJobError('failed', `${m.error.message}${m.error.hint ? ` (${m.error.hint})` : ''}`, [...this.tail], m.error));
                }
            };
            const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
                const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
                finish(new ScrubJobError('crashed', `the scrub worker (pid ${child.pid}) ${how} before finishing`, [...this.tail]));
            };
            const onAbort = () => {
                child.off('exit', onExit);
                void this.kill(child).then(() => finish(new ScrubJobError('cancelled', 'scrubbing was cancelled')));
            };
            child.on('message', onMessage);
            child.on('exit', onExit);
            hooks.signal?.addEventListener('abort', onAbort, { once: true });
            child.send(message(id), error => {
                if (error) this.log(`cannot send the job to the worker: ${error.message}`);
            });
        });
    }

    /** Kills the worker (if any) and waits for it to exit. */
    async dispose(): Promise<void> {
        clearTimeout(this.idleTimer);
        if (this.child) await this.kill(this.child);
    }

    private start(): ChildProcess {
        const child = this.options.spawn();
        this.child = child;
        this.log(`worker started (pid ${child.pid})`);
        const lines = (prefix: string) => {
            let partial = '';
            return (chunk: Buffer) => {
                const text = partial + chunk.toString('utf8');
                const parts = text.split('\n');
                partial = parts.pop() ?? '';
                for (const p of parts) if (p.trim()) this.log(`${prefix}${p}`);
            };
        };
        // Native code (onnxruntime, a crash's last words) writes to stdout/stderr, not to the IPC channel.
        child.stdout?.on('data', lines('[stdout] '));
        child.stderr?.on('data', lines('[stderr] '));
        child.on('message', (m: FromWorker) => {
            if (m.type === 'log') this.log(m.line);
        });
        child.on('error', e => this.log(`worker error: ${e.message}`));
        child.on('exit', (code, signal) => {
            this.log(`worker (pid ${child.pid}) exited${signal ? ` on ${signal}` : ` with code ${code}`}`);
            if (this.child === child) this.child = undefined;
        });
        return child;
    }

    private scheduleIdle(): void {
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => {
            if (!this.busy && this.child) void this.kill(this.child);
        }, this.idleMs);
        this.idleTimer.unref();
    }

    /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
    private kill(child: ChildProcess): Promise<void> {
        if (this.child === child) this.child = undefined;
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise(resolve => {
            const hard = setTimeout(() => child.kill('SIGKILL'), this.killGraceMs);
            child.once('exit', () => {
                clearTimeout(hard);
                resolve();
            });
            child.kill('SIGTERM');
        });
    }

    private log(line: string): void {
        this.tail.push(line);
        if (this.tail.length > LOG_TAIL) this.tail.shift();
        this.options.onLog(line);
    }
}
