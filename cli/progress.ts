// A progress bar on stderr when it is a terminal; silent otherwise so logs and pipes stay clean.

export interface ProgressBar {
    update(fraction: number, label: string): void;
    done(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
    if (!stream.isTTY) return { update() {}, done() {} };
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
        done() {
            if (last !== '') stream.write('\r\x1b[K');
            last = '';
        },
    };
}
