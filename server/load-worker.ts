// Worker-thread entry: reads one model or dataset file and posts the decoded value back, so that
// decoding a large ONNX file never holds up the language server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { loadErrorMessage, readDataFile } from '../language/workspace/read-data-file.js';

const { kind, path } = workerData as { kind: 'model' | 'dataset'; path: string };
try {
    parentPort!.postMessage({ ok: true, value: readDataFile(kind, path) });
} catch (e) {
    parentPort!.postMessage({ ok: false, error: loadErrorMessage(e) });
}
