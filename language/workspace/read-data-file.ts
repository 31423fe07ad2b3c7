// Reading a model or dataset file into the plain values the language uses, with the failure as
// one message: the body of the language server's background reads (a worker thread), kept free of
// Langium so that the worker loads only what it needs.
import { readFileSync } from 'node:fs';
import { parseDataset, type Dataset } from '../../engine/dataset/dataset.js';
import { isHypError } from '../../engine/errors.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import type { ModelGraph } from '../../engine/graph/types.js';

/** Reads a model graph or a JSONL dataset synchronously; throws on any problem. */
export function readDataFile(kind: 'model' | 'dataset', path: string): ModelGraph | Dataset {
    return kind === 'model' ? loadModelGraph(path) : parseDataset(path, readFileSync(path, 'utf8'));
}

/** A loading failure as the message shown on the declaration (with the file's line for JSONL errors). */
export function loadErrorMessage(e: unknown): string {
    if (isHypError(e)) return `${e.message}${e.location?.line !== undefined ? ` (line ${e.location.line})` : ''}`;
    return e instanceof Error ? e.message : String(e);
}
