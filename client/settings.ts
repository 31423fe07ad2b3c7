// The `hyp.*` settings as the server wants them (rpc.ts's ScrubSettings).
import * as vscode from 'vscode';
import { DEFAULT_SCRUB_SETTINGS, type ScrubSettings } from '../language/communication/rpc.js';

/** Reads the scrub settings of the workspace. */
export function readScrubSettings(): ScrubSettings {
    const c = vscode.workspace.getConfiguration('hyp');
    return {
        executionProvider: c.get('executionProvider', DEFAULT_SCRUB_SETTINGS.executionProvider),
        samples: c.get<number | null>('samples', null),
        seed: c.get<number | null>('seed', null),
        threads: c.get<number | null>('threads', null),
        nodeEffects: c.get('inlayHints.nodeEffects', false),
        exec: c.get('exec', DEFAULT_SCRUB_SETTINGS.exec),
        deviceMemory: c.get('deviceMemory', DEFAULT_SCRUB_SETTINGS.deviceMemory),
    };
}
