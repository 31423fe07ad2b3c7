// The probe process: the language server forks it to run a model once for its real shapes
// (graph/probe.ts), so that onnxruntime is never loaded in the server (DESIGN.md §4). It answers
// one request and exits; typed arrays cross the channel whole (advanced serialization).
import { probeModelFile } from '../runtime/probe-model.js';
import type { ProbeRequest, ProbeResponse } from '../graph/probe.js';

process.once('message', (request: ProbeRequest) => {
    probeModelFile(request.path, request.tensors, request.feeds).then(
        value => ({ ok: true, value }) as ProbeResponse,
        (e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }) as ProbeResponse,
    ).then(response => process.send!(response, () => process.exit(0)));
});
