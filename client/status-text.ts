// The status bar's text for the server's job list (no vscode import: unit-tested).
import type { JobSummary } from '../language/communication/rpc.js';

/** `$(sync~spin) Scrubbing correct 37% (+2 queued)`, or undefined when no job is queued or running. */
export function statusText(jobs: JobSummary[]): string | undefined {
    if (jobs.length === 0) return undefined;
    const running = jobs.find(j => j.state === 'running');
    const waiting = jobs.length - (running ? 1 : 0);
    const head = running ? `$(sync~spin) Scrubbing ${running.hypothesis} ${Math.floor(100 * running.fraction)}%` : '$(clock) Scrubbing queued';
    return waiting > 0 ? `${head} (+${waiting} queued)` : head;
}
