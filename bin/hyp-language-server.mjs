#!/usr/bin/env node
// `hyp-language-server --stdio`: the .hyp language server, for any LSP client (the bundle that
// `npm install` (prepare) or `npm run build` writes).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
    console.error(`hyp-language-server needs Node.js 22 or newer (this is ${process.version}).`);
    process.exit(1);
}
const bundle = fileURLToPath(new URL('../dist/hyp-language-server.mjs', import.meta.url));
if (!existsSync(bundle)) {
    console.error('hyp-language-server is not built yet: run `npm run build` in the repository.');
    process.exit(1);
}
await import(bundle);
