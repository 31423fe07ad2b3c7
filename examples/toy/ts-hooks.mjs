// Lets plain `node` run this repository's TypeScript sources without a build step: resolves the
// `./x.js` specifiers that TypeScript (NodeNext) requires to the `./x.ts` files that exist, and
// compiles `.ts` with esbuild (a devDependency). Node's own type stripping cannot do this: it
// does not map `.js` to `.ts`, and engine/errors.ts uses parameter properties it refuses.
import { registerHooks } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

registerHooks({
    resolve(specifier, context, nextResolve) {
        if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:')) && context.parentURL?.endsWith('.ts')) {
            const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
            if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
        }
        return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
        if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
        const source = readFileSync(fileURLToPath(url), 'utf8');
        const { code } = transformSync(source, { loader: 'ts', format: 'esm', sourcefile: fileURLToPath(url), target: 'node22' });
        return { format: 'module', source: code, shortCircuit: true };
    },
});
