// The files a .hyp document points to (model, dataset, features module), loaded for validation,
// hovers and lowering. Paths resolve relative to the .hyp file; results are cached by path and
// modification time, so editing the dataset on disk is seen at the next validation. Loading never
// throws: a failure is a value the validator reports on the declaration.
import { statSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { LangiumDocument } from 'langium';
import { loadDataset, type Dataset } from '../../engine/dataset/dataset.js';
import { isHypError } from '../../engine/errors.js';
import { loadModelGraph } from '../../engine/graph/model-graph.js';
import type { ModelGraph } from '../../engine/graph/types.js';

/** A loaded file, or why it could not be loaded. */
export type Loaded<T> = { ok: true; value: T; path: string } | { ok: false; error: string; path: string };

interface CacheEntry {
    stamp: string;
    result: Loaded<unknown>;
}

export class HypWorkspaceData {
    private readonly cache = new Map<string, CacheEntry>();

    /** The absolute path a declaration's path denotes, relative to the document's folder; undefined for non-file documents. */
    resolvePath(document: LangiumDocument, path: string): string | undefined {
        if (isAbsolute(path)) return path;
        if (document.uri.scheme !== 'file') return undefined;
        return resolve(dirname(document.uri.fsPath), path);
    }

    /** The model graph of an `.onnx` file. */
    model(path: string): Loaded<ModelGraph> {
        return this.load('model', path, () => loadModelGraph(path));
    }

    /** The rows and inferred field types of a JSONL dataset. */
    dataset(path: string): Loaded<Dataset> {
        return this.load('dataset', path, () => loadDataset(path));
    }

    /**
     * The names a features module exports, read from its text (the language server does not run
     * user code; the engine imports the module when it scrubs).
     */
    featureExports(path: string): Loaded<string[]> {
        return this.load('features', path, () => exportedNames(readFileSync(path, 'utf8')));
    }

    private load<T>(kind: string, path: string, read: () => T): Loaded<T> {
        let stamp: string;
        try {
            const s = statSync(path);
            if (!s.isFile()) return { ok: false, error: `${path} is not a file`, path };
            stamp = `${s.mtimeMs}:${s.size}`;
        } catch {
            return { ok: false, error: `file not found: ${path}`, path };
        }
        const key = `${kind}:${path}`;
        const hit = this.cache.get(key);
        if (hit && hit.stamp === stamp) return hit.result as Loaded<T>;
        let result: Loaded<T>;
        try {
            result = { ok: true, value: read(), path };
        } catch (e) {
            const message = isHypError(e)
                ? `${e.message}${e.location?.line !== undefined ? ` (line ${e.location.line})` : ''}`
                : (e as Error).message;
            result = { ok: false, error: message, path };
        }
        this.cache.set(key, { stamp, result });
        return result;
    }
}

/** Exported function and constant names of an ES module, found textually. */
export function exportedNames(source: string): string[] {
    const names = new Set<string>();
    const declaration = /export\s+(?:async\s+)?(?:function\s*\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/g;
    for (const m of source.matchAll(declaration)) names.add(m[1]);
    const list = /export\s*\{([^}]*)\}/g;
    for (const m of source.matchAll(list)) {
        for (const item of m[1].split(',')) {
            const parts = item.trim().split(/\s+as\s+/);
            const name = (parts[1] ?? parts[0]).trim();
            if (/^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default') names.add(name);
        }
    }
    return [...names];
}
