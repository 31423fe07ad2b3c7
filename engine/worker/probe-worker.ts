// The probe process: the language server forks it to run a model once for its real shapes
// (graph/probe.ts), or for the numeric pass over part-level edges (graph/perturb-queries.ts), so
// that onnxruntime is never loaded in the server (DESIGN.md §4). It answers one request and
// exits; typed arrays cross the channel whole (advanced serialization).
import { probeModelFile } from '../runtime/probe-model.js';
import { perturbPartsFile } from '../runtime/perturb-parts.js';
import type { ProbeRequest, ProbeResponse } from '../graph/probe.js';

process.once('message', (request: ProbeRequest) => {
    const work: Promise<unknown> = request.perturb !== undefined
        ? perturbPartsFile(request.path, request.perturb)
        : probeModelFile(request.path, request.tensors, request.feeds);
    work.then(
        value => ({ ok: true, value }) as ProbeResponse<unknown>,
        (e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }) as ProbeResponse<unknown>,
    ).then(response => process.send!(response, () => process.exit(0)));
});
