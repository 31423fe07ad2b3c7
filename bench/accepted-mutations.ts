// Random edits of a .hyp file that a user could make: most of them give a file `hyp check`
// refuses, and those it accepts must scrub (bench/accepted-fuzz.ts runs many, a test a few).
// Seeded: a finding is reproducible.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isHypError } from '../engine/errors.js';
import { probeModelFile } from '../engine/runtime/probe-model.js';
import { scrub } from '../engine/scrub.js';
import { Prng } from '../engine/util/prng.js';
import { checkHypFile } from '../language/check-file.js';

export interface Mutant {
    text: string;
    /** The edit, for the report. */
    what: string;
}

const METRICS = ['cross_entropy', 'accuracy', 'logit_diff', 'logit_diff(1, 0)', 'kl', 'cross_entropy at position 0', 'kl at position -1', 'accuracy at position 1'];
const OPTIONS = ['ablation mean', 'ablation zero', 'unimportant separate', 'samples 3', 'seed 7'];
const NUMBERS = ['0', '1', '2', '-1', '3', '0..2', '1..3', '-2'];

type Edit = (lines: string[], rng: Prng) => string | undefined;

const pick = <T>(xs: readonly T[], rng: Prng): T => xs[rng.nextInt(xs.length)];
const code = (line: string) => line.replace(/\/\/.*$/, '');

/** Indices of the lines that hold code (not blank, not only a comment). */
function codeLines(lines: string[]): number[] {
    return lines.flatMap((l, i) => (code(l).trim() === '' ? [] : [i]));
}

const EDITS: Edit[] = [
    function dropLine(lines, rng) {
        const i = pick(codeLines(lines).filter(j => !/[{}]/.test(code(lines[j]))), rng);
        if (i === undefined) return undefined;
        const [gone] = lines.splice(i, 1);
        return `line ${i + 1} dropped: ${gone.trim()}`;
    },
    function changeNumber(lines, rng) {
        const sites = codeLines(lines).flatMap(i => [...code(lines[i]).matchAll(/(?<![\w.])-?\d+(?:\.\.-?\d+)?(?![\w.])/g)].map(m => ({ i, at: m.index, n: m[0] })));
        if (sites.length === 0) return undefined;
        const s = pick(sites, rng), to = pick(NUMBERS, rng);
        lines[s.i] = lines[s.i].slice(0, s.at) + to + lines[s.i].slice(s.at + s.n.length);
        return `line ${s.i + 1}: ${s.n} → ${to}`;
    },
    function changeName(lines, rng) {
        const names = [...new Set(lines.flatMap(l => [...code(l).matchAll(/\b[a-zA-Z_][\w.]*\b/g)].map(m => m[0])))];
        const sites = codeLines(lines).filter(i => /<-|->|=/.test(code(lines[i]))).flatMap(i => [...code(lines[i]).matchAll(/\b[a-zA-Z_][\w.]*\b/g)].map(m => ({ i, at: m.index, n: m[0] })));
        if (sites.length === 0) return undefined;
        const s = pick(sites, rng), to = pick(names, rng);
        lines[s.i] = lines[s.i].slice(0, s.at) + to + lines[s.i].slice(s.at + s.n.length);
        return `line ${s.i + 1}: ${s.n} → ${to}`;
    },
    function changeMetric(lines, rng) {
        const i = lines.findIndex(l => /^\s*metric\b/.test(l));
        if (i < 0) return undefined;
        const to = pick(METRICS, rng);
        lines[i] = `metric ${to}`;
        return `metric → ${to}`;
    },
    function addOption(lines, rng) {
        const heads = lines.flatMap((l, i) => (/^\s*hypothesis\b.*\{\s*$/.test(code(l)) ? [i] : []));
        const option = pick(OPTIONS, rng);
        const i = heads.length > 0 && rng.nextInt(2) === 0 ? pick(heads, rng) : -1;
        lines.splice(i + 1, 0, i < 0 ? option : `    ${option}`);
        return i < 0 ? `top-level ${option}` : `${option} in the hypothesis at line ${i + 1}`;
    },
    function dropParent(lines, rng) {
        const sites = codeLines(lines).filter(i => /<-\s*\S+\s*,/.test(code(lines[i])));
        if (sites.length === 0) return undefined;
        const i = pick(sites, rng);
        const [head, parents] = code(lines[i]).split('<-');
        const list = parents.split(',').map(p => p.trim());
        list.splice(rng.nextInt(list.length), 1);
        lines[i] = `${head}<- ${list.join(', ')}`;
        return `line ${i + 1}: parents → ${list.join(', ')}`;
    },
];

/** One to three edits of `text`, chosen by `seed`. */
export function mutate(text: string, seed: number): Mutant {
    const rng = new Prng(seed, 0x6d7574);
    const lines = text.split('\n');
    const done: string[] = [];
    const count = 1 + rng.nextInt(3);
    for (let tries = 0; done.length < count && tries < 20; tries++) {
        const what = pick(EDITS, rng)(lines, rng);
        if (what !== undefined) done.push(what);
    }
    return { text: lines.join('\n'), what: done.join('; ') };
}

/** A mutant `hyp check` accepted and the scrub refused. */
export interface Finding {
    file: string;
    what: string;
    /** `INTERNAL ERROR: …` or `located error <code>: …`. */
    error: string;
    /** Where the mutant was kept (keepFindings). */
    kept?: string;
}

export interface AcceptedRun {
    mutants: number;
    accepted: number;
    scrubbed: number;
    /** Accepted mutants whose model was no better than its random baseline on so few roots. */
    degenerate: number;
    findings: Finding[];
}

/** The file's relative paths (model, dataset, features, JSON files) made absolute, so a mutant can live elsewhere. */
function absolutePaths(text: string, dir: string): string {
    return text.replace(/"([^"\n]+\.(?:onnx|jsonl|json|mjs))"/g, (m, p: string) => (p.startsWith('/') ? m : `"${resolve(dir, p)}"`));
}

/** Mutates each file `mutants` times, checks every mutant as `hyp check` does and scrubs those it accepts. */
export async function scrubAcceptedMutants(files: readonly string[], o: { mutants: number; seed: number; samples: number; keepFindings?: boolean }): Promise<AcceptedRun> {
    const work = mkdtempSync(join(tmpdir(), 'hyp-accepted-'));
    const run: AcceptedRun = { mutants: 0, accepted: 0, scrubbed: 0, degenerate: 0, findings: [] };
    let seed = o.seed;
    try {
        for (const file of files) {
            const original = absolutePaths(readFileSync(file, 'utf8'), dirname(file));
            for (let i = 0; i < o.mutants; i++) {
                const { text, what } = mutate(original, seed++);
                const path = join(work, `m${run.mutants++}.hyp`);
                writeFileSync(path, text);
                const check = await checkHypFile(path, { prober: probeModelFile });
                if (check.spec === undefined) continue;
                run.accepted++;
                try {
                    await scrub(check.spec, { samples: o.samples, ep: 'cpu', threads: 1 });
                    run.scrubbed++;
                } catch (e) {
                    // On a few roots a model may be no better than its random baseline: a fact of the sample, not of the file.
                    if (isHypError(e) && e.code === 'degenerate-baseline') {
                        run.degenerate++;
                        continue;
                    }
                    const error = isHypError(e) ? `located error ${e.code}: ${e.message}` : `INTERNAL ERROR: ${(e as Error).stack ?? String(e)}`;
                    run.findings.push({ file, what, error, ...(o.keepFindings && { kept: path }) });
                }
            }
        }
    } finally {
        if (!o.keepFindings || run.findings.length === 0) rmSync(work, { recursive: true, force: true });
    }
    return run;
}
