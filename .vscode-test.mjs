// The end-to-end scenarios in a downloaded VS Code, for machines with network access
// (`node .vscode-test.mjs`): @vscode/test-electron downloads VS Code, installs nothing, and runs
// test/electron/suite.ts in the Extension Development Host on a copy of examples/toy. Where VS Code
// cannot be downloaded, `npm run test:e2e` runs the same scenarios in code-server.
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension } from './scripts/build-extension.mjs';

const root = import.meta.dirname;
await buildExtension();
const suite = join(root, 'node_modules/.cache/hyp-electron/suite.cjs');
await build({ entryPoints: [join(root, 'test/electron/suite.ts')], outfile: suite, bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
const workspace = mkdtempSync(join(tmpdir(), 'hyp-electron-'));
for (const f of ['toy.hyp', 'toy_or.onnx', 'toy_or.jsonl']) cpSync(join(root, 'examples/toy', f), join(workspace, f));
await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
});
