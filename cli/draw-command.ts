// `hyp draw FILE.hyp`: the drawing of a hypothesis over G as an SVG file, for papers and reviews
// (draw/). The file is checked first, as for a scrub: a hypothesis with errors has no honest picture.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { drawHypothesis } from '../draw/draw-hypothesis.js';
import { checkAndReport } from './check-command.js';

export interface DrawOptions {
    /** Hypotheses to draw; every one when empty (then `out` must be a folder unless the file has one). */
    hypotheses: string[];
    /** An .svg file, a folder (one `<hypothesis>.svg` each; a path ending in / is created), or stdout when absent. */
    out?: string;
}

/** A problem with the invocation (exit 2), told apart from problems in the file. */
export class DrawUsageError extends Error {}

export async function drawCommand(file: string, options: DrawOptions): Promise<number> {
    // With the numeric pass, as `hyp check`: a claimed edge it finds inert is drawn dotted.
    const { ok, spec, g, numeric } = await checkAndReport(file, line => console.error(line), { numeric: true });
    if (!ok || !spec || !g) return 1;
    const names = spec.hypotheses.map(h => h.name);
    const unknown = options.hypotheses.filter(h => !names.includes(h));
    if (unknown.length > 0) throw new DrawUsageError(`no hypothesis "${unknown[0]}" in ${file} (it has ${names.join(', ') || 'none'})`);
    const chosen = options.hypotheses.length > 0 ? spec.hypotheses.filter(h => options.hypotheses.includes(h.name)) : spec.hypotheses;
    const folder = options.out !== undefined && (options.out.endsWith('/') || statSync(options.out, { throwIfNoEntry: false })?.isDirectory());
    if (chosen.length !== 1 && !folder) {
        throw new DrawUsageError(`${file} has ${chosen.length} hypotheses (${chosen.map(h => h.name).join(', ')}): name one with --hypothesis, or give a folder with -o`);
    }
    if (folder) mkdirSync(options.out!, { recursive: true });
    for (const h of chosen) {
        const { svg } = await drawHypothesis(g, h, { subtitle: basename(file), ...(numeric && { numeric }) });
        if (options.out === undefined) process.stdout.write(svg);
        else {
            const path = folder ? join(options.out, `${h.name}.svg`) : options.out;
            writeFileSync(path, svg);
            console.error(`wrote ${path}`);
        }
    }
    return 0;
}
