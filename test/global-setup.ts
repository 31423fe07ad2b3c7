// Tests import the generated Langium files and run the bundled CLI: generate and bundle once,
// before any test, so a test never runs stale code.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
    execFileSync(process.execPath, ['node_modules/langium-cli/bin/langium.js', 'generate'], { stdio: 'ignore' });
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
