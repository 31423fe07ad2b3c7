// Starts code-server (installed by run-e2e.sh into .tools/code-server) on 127.0.0.1 with a fresh
// user-data and extensions folder, the packaged .vsix installed, and stops it with its children.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CodeServer {
    url: string;
    /** code-server's output so far (for failures). */
    log: string[];
    stop(): Promise<void>;
}

/** User settings for a quiet, deterministic workbench. */
const USER_SETTINGS = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.minimap.enabled': false,
    'editor.hover.delay': 200,
    'window.restoreWindows': 'none',
};

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

/** Installs the .vsix into a fresh profile under `home` and starts code-server on a free port. */
export async function startCodeServer(bin: string, vsix: string, home: string): Promise<CodeServer> {
    const userData = join(home, 'user-data'), extensions = join(home, 'extensions');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    const config = join(home, 'config.yaml');
    writeFileSync(config, '');
    const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
    execFileSync(bin, [...common, '--install-extension', vsix], { stdio: 'inherit' });
    const port = await freePort();
    const child: ChildProcess = spawn(bin, [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${log.join('')}`)), 120_000);
        const onData = (d: Buffer) => {
            log.push(d.toString());
            if (/HTTP server listening/.test(d.toString())) {
                clearTimeout(timer);
                resolve();
            }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', code => reject(new Error(`code-server exited with ${code}:\n${log.join('')}`)));
    });
    await ready;
    return {
        url: `http://127.0.0.1:${port}`,
        log,
        stop: () => new Promise<void>(resolve => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            // Its own process group: the extension host, the language server and any worker go too.
            try {
                process.kill(-child.pid!, 'SIGTERM');
            } catch {
                resolve();
            }
            setTimeout(() => {
                try {
                    process.kill(-child.pid!, 'SIGKILL');
                } catch { /* gone */ }
            }, 3000).unref();
        }),
    };
}
