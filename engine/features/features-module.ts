// The features module (`features "file.mjs"`): user code whose exported functions features may
// call. Imported by the engine when it scrubs and by `hyp check`; never by the language server.
import { pathToFileURL } from 'node:url';
import { HypError } from '../errors.js';
import type { FeatureFunctions } from './evaluate.js';

/** The module's exported functions (none without a module); a module that cannot be imported is a located HypError. */
export async function loadFeatureFunctions(path: string | undefined): Promise<FeatureFunctions> {
    if (path === undefined) return {};
    try {
        const mod = await import(pathToFileURL(path).href) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(mod).filter(([, v]) => typeof v === 'function')) as FeatureFunctions;
    } catch (e) {
        throw new HypError(`cannot load the features module: ${(e as Error).message}`, 'features-module', { file: path });
    }
}
