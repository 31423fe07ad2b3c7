// The cache key of a scrub: a hash of everything its numbers depend on — the bytes of the model,
// the dataset and the features module, the lowered hypothesis (so comments and formatting do not
// matter, but its graph, metric, features and run options do) and the settings that override them.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { ScrubSpec } from '../../engine/spec.js';
import type { ScrubSettings } from '../../language/communication/rpc.js';

/** Bumped when the engine's results change meaning, so that older cached results are not reused. */
const KEY_VERSION = 1;

const digests = new Map<string, { stamp: string; digest: string }>();

/** sha256 of a file's bytes, recomputed only when its size or modification time changed. */
export function fileDigest(path: string): string {
    let stamp: string;
    try {
        const st = statSync(path);
        stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
        return 'missing';
    }
    const hit = digests.get(path);
    if (hit?.stamp === stamp) return hit.digest;
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    digests.set(path, { stamp, digest });
    return digest;
}

/** The key of scrubbing `hypothesis` of `spec` with `settings`. */
export function scrubJobKey(spec: ScrubSpec, hypothesis: string, settings: ScrubSettings, digest: (path: string) => string = fileDigest): string {
    const h = spec.hypotheses.find(x => x.name === hypothesis);
    if (!h) throw new Error(`no hypothesis named "${hypothesis}"`);
    const { path: _datasetPath, ...dataset } = spec.dataset;
    const content = {
        v: KEY_VERSION,
        model: digest(spec.modelPath),
        data: digest(spec.dataset.path),
        features: spec.featuresModule ? digest(spec.featuresModule) : null,
        dataset,
        // A rewritten hook's line (for its errors) is not part of what it computes.
        graph: { ...spec.graph, hooks: spec.graph.hooks.map(({ source: _source, ...hook }) => hook) },
        metric: spec.metric,
        nodes: h.nodes,
        options: h.options,
        settings: {
            ep: settings.executionProvider, samples: settings.samples, seed: settings.seed,
            threads: settings.threads, nodeEffects: settings.nodeEffects,
            // Fused and staged agree to float32 rounding, not to the bit; the device memory sizes fused chunks.
            exec: settings.exec, deviceMemory: settings.deviceMemory,
        },
    };
    return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}
