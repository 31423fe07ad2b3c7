// Scrub results by cache key, on disk in the folder the client gives (workspace storage) so they
// survive restarts, plus, per hypothesis of a document, the key of its latest result: a result
// whose key differs from the document's current key is shown as stale.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredResult } from '../../language/communication/rpc.js';

/** Results kept on disk; the oldest beyond this are removed. */
export const MAX_STORED_RESULTS = 256;

export class ResultCache {
    private readonly byKey = new Map<string, StoredResult>();
    private latestKeys: Record<string, string> = {};
    private loaded = false;

    /** `dir` undefined: results live as long as the server. */
    constructor(private readonly dir?: string) {}

    /** The result computed for exactly this key, if any. */
    get(key: string): StoredResult | undefined {
        this.load();
        return this.byKey.get(key);
    }

    /** The latest result of a document's hypothesis, whatever its key. */
    latest(uri: string, hypothesis: string): StoredResult | undefined {
        this.load();
        const key = this.latestKeys[latestId(uri, hypothesis)];
        return key === undefined ? undefined : this.byKey.get(key);
    }

    /** Stores a result and makes it the latest of its document's hypothesis. */
    put(stored: StoredResult): void {
        this.load();
        this.byKey.set(stored.key, stored);
        this.latestKeys[latestId(stored.uri, stored.hypothesis)] = stored.key;
        if (!this.dir) return;
        mkdirSync(join(this.dir, 'results'), { recursive: true });
        atomicWrite(join(this.dir, 'results', `${stored.key}.json`), JSON.stringify(stored));
        this.prune();
        atomicWrite(join(this.dir, 'latest.json'), JSON.stringify(this.latestKeys));
    }

    private load(): void {
        if (this.loaded) return;
        this.loaded = true;
        if (!this.dir) return;
        try {
            this.latestKeys = JSON.parse(readFileSync(join(this.dir, 'latest.json'), 'utf8')) as Record<string, string>;
        } catch {
            this.latestKeys = {};
        }
        let files: string[] = [];
        try {
            files = readdirSync(join(this.dir, 'results')).filter(f => f.endsWith('.json'));
        } catch {
            return;
        }
        for (const f of files) {
            try {
                const stored = JSON.parse(readFileSync(join(this.dir, 'results', f), 'utf8')) as StoredResult;
                if (typeof stored.key === 'string') this.byKey.set(stored.key, stored);
            } catch {
                // A torn or foreign file is not a result: skip it rather than fail every lookup.
            }
        }
    }

    private prune(): void {
        if (this.byKey.size <= MAX_STORED_RESULTS) return;
        const latest = new Set(Object.values(this.latestKeys));
        const old = [...this.byKey.values()].filter(r => !latest.has(r.key)).sort((a, b) => a.finished - b.finished);
        for (const r of old.slice(0, this.byKey.size - MAX_STORED_RESULTS)) {
            this.byKey.delete(r.key);
            rmSync(join(this.dir!, 'results', `${r.key}.json`), { force: true });
        }
    }
}

function latestId(uri: string, hypothesis: string): string {
    return `${uri}#${hypothesis}`;
}

/** Write then rename, so that a server killed mid-write leaves the old file, not half a new one. */
function atomicWrite(path: string, text: string): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
}
