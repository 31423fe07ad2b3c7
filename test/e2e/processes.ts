// Finds the scrub worker among this machine's processes (by its bundle's name in /proc), so the
// tests can check it is gone after a cancel and can kill it "from outside".
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of running scrub workers started from `bundleDir`-independent name hyp-scrub-worker.cjs. */
export function scrubWorkerPids(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            // A zombie is dead, only not yet reaped.
            if (cmdline.includes('hyp-scrub-worker.cjs') && !/^\d+ \(.*\) Z/.test(stat)) pids.push(Number(entry));
        } catch {
            // The process ended while we looked.
        }
    }
    return pids;
}

export { alive } from '../fixtures/polling.js';
