// Progress on stderr: a bar redrawn in place on a terminal; on anything else (a pipe, a log file, a
// batch job's output) a plain line when a hypothesis starts and then every few seconds, so that a
// long scrub whose output is piped still says it is alive and how far it got.

export interface ProgressBar {
    update(fraction: number, label: string): void;
    /** A line of its own between progress updates (on a terminal the bar is cleared first and redrawn by the next update). */
    note(line: string): void;
    done(): void;
}

/** Seconds between progress lines when stderr is not a terminal. */
export const PROGRESS_LINE_SECONDS = 5;

export function progressBar(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write' | 'columns'> = process.stderr,
    now: () => number = () => performance.now()): ProgressBar {
    if (!stream.isTTY) return progressLines(stream, now);
    let last = '';
    return {
        update(fraction, label) {
            const width = 30;
            const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
            const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${label}`;
            if (line === last) return;
            last = line;
            stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
        },
        note(line) {
            stream.write(`${last === '' ? '' : '\r\x1b[K'}${line}\n`);
            last = '';
        },
        done() {
            if (last !== '') stream.write('\r\x1b[K');
            last = '';
        },
    };
}

/** `hyp: claim1 (2/7) 40% after 12.3 s`: one line when the label changes, then one every PROGRESS_LINE_SECONDS. */
function progressLines(stream: Pick<NodeJS.WriteStream, 'write'>, now: () => number): ProgressBar {
    let label: string | undefined;
    let started = 0;
    let lastLine = 0;
    return {
        update(fraction, next) {
            const t = now();
            if (next !== label) {
                label = next;
                started = t;
            } else if (t - lastLine < PROGRESS_LINE_SECONDS * 1000) {
                return;
            }
            lastLine = t;
            const pct = Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
            stream.write(`hyp: ${label} ${pct}% after ${((t - started) / 1000).toFixed(1)} s\n`);
        },
        note(line) {
            stream.write(`${line}\n`);
        },
        done() {
            label = undefined;
        },
    };
}
