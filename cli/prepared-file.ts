// What `hyp discover` and `hyp challenge` share: check the file, prepare its spec once for the many
// scrubs of a search, let SIGINT cancel the search, and release the sessions whatever happens.
import { prepareScrub, type PreparedScrub } from '../engine/prepare.js';
import type { ProviderChoice } from '../engine/runtime/session.js';
import type { ScrubSpec } from '../engine/spec.js';
import { checkAndReport } from './check-command.js';

/** The options of a search over one prepared file. */
export interface SearchCommandOptions {
    samples?: number;
    seed?: number;
    ep: ProviderChoice;
    threads?: number;
    memoryBudget?: number;
    json: boolean;
}

/** Runs `body` on the checked and prepared file; exit status 1 when the file has errors. */
export async function withPreparedFile(file: string, opts: SearchCommandOptions,
    body: (spec: ScrubSpec, prepared: PreparedScrub, signal: AbortSignal) => Promise<number>): Promise<number> {
    const { ok, spec } = await checkAndReport(file, line => console.error(line));
    if (!ok || !spec) return 1;
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    const prepared = await prepareScrub(spec, { ep: opts.ep, threads: opts.threads });
    try {
        return await body(spec, prepared, controller.signal);
    } finally {
        process.off('SIGINT', onSignal);
        await prepared.dispose();
    }
}
