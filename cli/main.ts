// The `hyp` command line: check, scrub and graph. Errors reach the user as one located line and a
// non-zero exit, never as a stack trace (HYP_DEBUG=1 shows it for bug reports).
import { parseArgs } from 'node:util';
import { isHypError } from '../engine/errors.js';
import type { ProviderChoice } from '../engine/runtime/session.js';
import { checkCommand } from './check-command.js';
import { graphCommand } from './graph-command.js';
import { mergeCommand } from './merge-command.js';
import { parseShard } from '../engine/shard.js';
import { scrubCommand } from './scrub-command.js';

const USAGE = `usage:
  hyp check FILE.hyp
  hyp scrub FILE.hyp [--hypothesis NAME]... [--samples N] [--seed S] [--ep auto|cpu|cuda|webgpu]
                     [--batch-size N] [--chunk-size N] [--threads N] [--json]
                     [--memory-budget SIZE] [--shard K/N --out PART.json]
  hyp merge PART.json... [--json]
  hyp graph MODEL.onnx [--json]`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string, min: number): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min} (got "${value}")`);
    return n;
}

/** `2G`, `512M` or a number of MiB, in bytes. */
function sizeOption(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const m = /^(\d+(?:\.\d+)?)([GM]?)i?B?$/i.exec(value.trim());
    if (!m || Number(m[1]) <= 0) throw new UsageError(`--memory-budget must be a size such as 2G or 512M (got "${value}")`);
    return Number(m[1]) * 1024 ** (m[2].toUpperCase() === 'G' ? 3 : 2);
}

async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            hypothesis: { type: 'string', multiple: true },
            samples: { type: 'string' },
            seed: { type: 'string' },
            ep: { type: 'string', default: 'auto' },
            'batch-size': { type: 'string' },
            'chunk-size': { type: 'string' },
            threads: { type: 'string' },
            shard: { type: 'string' },
            'memory-budget': { type: 'string' },
            out: { type: 'string' },
            json: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
        },
    });
    const [command, file, ...rest] = positionals;
    if (values.help || command === undefined) {
        console.log(USAGE);
        return values.help ? 0 : 2;
    }
    if (command === 'merge') {
        if (file === undefined) throw new UsageError('merge takes the shard files');
        return mergeCommand([file, ...rest], values.json);
    }
    if (file === undefined || rest.length > 0) throw new UsageError(`${command} takes exactly one file`);
    switch (command) {
        case 'check':
            return checkCommand(file);
        case 'graph':
            return graphCommand(file, values.json);
        case 'scrub': {
            const ep = values.ep as ProviderChoice;
            if ((values.shard === undefined) !== (values.out === undefined)) throw new UsageError('--shard and --out go together');
            if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(ep)) throw new UsageError(`--ep must be auto, cpu, cuda or webgpu (got "${ep}")`);
            return scrubCommand(file, {
                hypotheses: values.hypothesis ?? [],
                samples: intOption(values.samples, 'samples', 2),
                seed: intOption(values.seed, 'seed', 0),
                ep,
                json: values.json,
                batchSize: intOption(values['batch-size'], 'batch-size', 1),
                chunkSize: intOption(values['chunk-size'], 'chunk-size', 1),
                threads: intOption(values.threads, 'threads', 1),
                memoryBudget: sizeOption(values['memory-budget']),
                shard: values.shard === undefined ? undefined : parseShard(values.shard),
                out: values.out,
            });
        }
        default:
            throw new UsageError(`unknown command "${command}"`);
    }
}

main(process.argv.slice(2)).then(
    code => { process.exitCode = code; },
    (e: unknown) => {
        if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
            console.error(`hyp: ${(e as Error).message}\n${USAGE}`);
            process.exitCode = 2;
        } else if (isHypError(e)) {
            console.error(e.format());
            process.exitCode = 1;
        } else {
            console.error(`hyp: internal error: ${(e as Error).message ?? String(e)} (please report it; HYP_DEBUG=1 shows details)`);
            if (process.env.HYP_DEBUG) console.error(e);
            process.exitCode = 1;
        }
    },
);
