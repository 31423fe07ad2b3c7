// `node examples/toy/build-toy.mjs`: rebuilds toy_or.onnx and toy_or.jsonl next to this file.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import './ts-hooks.mjs';

const { writeToy } = await import('./build-toy.ts');
const written = writeToy(dirname(fileURLToPath(import.meta.url)));
console.log(`wrote ${written.model}\nwrote ${written.dataset}`);
