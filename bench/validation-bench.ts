// Validation time of a 2,000-line .hyp file once its model and dataset are cached, the cost the
// language server pays on every keystroke (parse, link, fast checks), and of the slow checks that
// run off the typing path. Run with `npm run bench:validation`; figures go to bench/README.md.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URI, type BuildOptions, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createHypServices } from '../language/hyp-module.js';
import { toyHeader } from '../test/fixtures/toy-hyp.js';

// Run from the repository root (npm scripts are); the bundle itself lives under node_modules/.cache.
const TOY = resolve('examples/toy');

/** A .hyp file of about `lines` lines over the toy model: many hypotheses, some extending others. */
export function generateHyp(lines: number, toyDir = TOY): string {
    const header = `${toyHeader(toyDir)}samples 2000
`;
    const out = [header];
    let count = header.split('\n').length;
    for (let i = 0; count < lines; i++) {
        const block = i % 4 === 3
            ? `hypothesis h${i} extends h${i - 1} {\n    node b -> B = z[1] > ${i % 7}  <- input.z2\n}\n`
            : `hypothesis h${i} {\n    node a -> A = z[0] > ${i % 9}  <- input.z1\n    node b -> B = len(filter(z, v => v > ${i % 5})) > 1  <- input.z2\n    node c -> C <- input.z3\n    node d -> D = a or b    <- a, b, c\n    output <- d\n}\n`;
        out.push(block);
        count += block.split('\n').length - 1;
    }
    return out.join('');
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-bench-'));
    const path = join(dir, 'bench.hyp');
    const text = generateHyp(2000);
    writeFileSync(path, text);
    const { shared } = createHypServices(NodeFileSystem);
    const documents = shared.workspace.LangiumDocuments;
    const builder = shared.workspace.DocumentBuilder;
    const uri = URI.file(path);
    const fast: BuildOptions = { validation: { categories: ['built-in', 'fast'] } };

    // Warm-up: loads and caches the model and dataset, JIT-compiles the checks.
    let document: LangiumDocument = await documents.getOrCreateDocument(uri);
    await builder.build([document], fast);
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (errors.length > 0) throw new Error(`the generated file has errors: ${errors[0].message}`);

    const runs = 10;
    const full: number[] = [];
    const validateOnly: number[] = [];
    for (let r = 0; r < runs; r++) {
        // As after a keystroke: a fresh document with the file's text, parsed, linked and validated.
        await builder.update([], [uri]);
        const t0 = performance.now();
        document = await documents.getOrCreateDocument(uri);
        await builder.build([document], { validation: false });
        const t1 = performance.now();
        await builder.build([document], fast);
        const t2 = performance.now();
        full.push(t2 - t0);
        validateOnly.push(t2 - t1);
    }
    const t3 = performance.now();
    await builder.build([document], { validation: { categories: ['built-in', 'fast', 'slow'] } });
    const slow = performance.now() - t3;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const lines = text.split('\n').length;
    console.log(`${lines} lines, ${(text.match(/^hypothesis/gm) ?? []).length} hypotheses, model and dataset cached, median of ${runs} runs:`);
    console.log(`  fast validation (the typing path's checks):        ${median(validateOnly).toFixed(0)} ms`);
    console.log(`  parse + link + fast validation:                    ${median(full).toFixed(0)} ms`);
    console.log(`  slow checks (features on ${'4000'} dataset rows), once: ${slow.toFixed(0)} ms`);
}

if (process.argv[1]?.includes("validation-bench")) await main();
