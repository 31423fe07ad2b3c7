#!/usr/bin/env node
// The `hyp` command: runs the bundle that `npm install` (prepare) or `npm run build` writes.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
    console.error(`hyp needs Node.js 22 or newer (this is ${process.version}).`);
    process.exit(1);
}
const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
    console.error('hyp is not built yet: run `npm run build` in the repository.');
    process.exit(1);
}
await import(bundle);
