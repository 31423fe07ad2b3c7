// The queue of scrub jobs: one runs at a time (the machine's cores belong to one onnxruntime
// session), the rest wait in order. A job is identified by its cache key, so asking twice for the
// same scrub joins the job already queued or running instead of computing it again.
import type { ScrubResult } from '../../engine/result.js';
import type { JobSummary } from '../../language/communication/rpc.js';
import type { RunHooks } from './worker-supervisor.js';
import { ScrubJobError } from './worker-supervisor.js';

/** What a job computes; `run` is given the job's progress callback and abort signal. */
export interface JobRequest {
    key: string;
    uri: string;
    hypothesis: string;
    run: (hooks: RunHooks) => Promise<ScrubResult[]>;
}

export interface Job {
    readonly request: JobRequest;
    state: 'queued' | 'running';
    fraction: number;
    readonly done: Promise<ScrubResult[]>;
    readonly controller: AbortController;
}

/** A job with the functions that settle its promise, which only the queue calls. */
interface QueuedJob extends Job {
    settle: { resolve: (r: ScrubResult[]) => void; reject: (e: unknown) => void };
}

export class ScrubQueue {
    private readonly jobs: QueuedJob[] = [];
    private readonly listeners = new Set<() => void>();
    private pumping = false;

    /** Queues a job, or returns the queued or running job with the same key (`joined`). */
    submit(request: JobRequest): { job: Job; joined: boolean } {
        // A cancelled job still running (its worker being stopped) is not joined: it will not finish.
        const existing = this.jobs.find(j => j.request.key === request.key && !j.controller.signal.aborted);
        if (existing) return { job: existing, joined: true };
        let settle!: QueuedJob['settle'];
        const done = new Promise<ScrubResult[]>((resolve, reject) => (settle = { resolve, reject }));
        // Callers may not await it (a deduplicated submit, a cancelled job): never an unhandled rejection.
        done.catch(() => undefined);
        const job: QueuedJob = { request, state: 'queued', fraction: 0, done, controller: new AbortController(), settle };
        this.jobs.push(job);
        this.changed();
        void this.pump();
        return { job, joined: false };
    }

    /** Cancels the jobs that match (queued ones are dropped, a running one is killed); returns how many. */
    cancel(match: (job: Job) => boolean): number {
        // A running job cancelled before stays listed until its worker has stopped: it is not cancelled twice.
        const hit = this.jobs.filter(j => !j.controller.signal.aborted && match(j));
        for (const job of hit) {
            job.controller.abort();
            if (job.state === 'queued') {
                this.remove(job);
                job.settle.reject(new ScrubJobError('cancelled', 'scrubbing was cancelled'));
            }
        }
        if (hit.length) this.changed();
        return hit.length;
    }

    /** The queued and running jobs, running first. */
    list(): readonly Job[] {
        return this.jobs;
    }

    summaries(): JobSummary[] {
        return this.jobs.map(j => ({ uri: j.request.uri, hypothesis: j.request.hypothesis, state: j.state, fraction: j.fraction }));
    }

    /** Called whenever a job is added, starts, progresses or ends. */
    onChange(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    private async pump(): Promise<void> {
        if (this.pumping) return;
        this.pumping = true;
        try {
            for (let job = this.jobs[0]; job; job = this.jobs[0]) {
                const { settle } = job;
                job.state = 'running';
                this.changed();
                try {
                    const results = await job.request.run({
                        signal: job.controller.signal,
                        onProgress: fraction => {
                            job.fraction = fraction;
                            this.changed();
                        },
                    });
                    this.remove(job);
                    settle.resolve(results);
                } catch (e) {
                    this.remove(job);
                    settle.reject(e);
                }
                this.changed();
            }
        } finally {
            this.pumping = false;
        }
    }

    private remove(job: QueuedJob): void {
        const i = this.jobs.indexOf(job);
        if (i >= 0) this.jobs.splice(i, 1);
    }

    private changed(): void {
        for (const l of this.listeners) l();
    }
}
