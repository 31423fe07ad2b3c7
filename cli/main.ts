// The `hyp` command line: check, scrub, merge, graph and help. Errors reach the user as one located
// line and a non-zero exit, never as a stack trace (HYP_DEBUG=1 shows it for bug reports): a usage
// error is `hyp: <what>` with the command's usage and exit 2, a problem in the files exit 1.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { isHypError } from '../engine/errors.js';
import type { ProviderChoice } from '../engine/runtime/session.js';
import { parseShard, type ShardSelector } from '../engine/shard.js';
import { checkCommand } from './check-command.js';
import { challengeCommand } from './challenge-command.js';
import { discoverCommand } from './discover-command.js';
import { drawCommand, DrawUsageError } from './draw-command.js';
import { graphCommand } from './graph-command.js';
import { mergeCommand } from './merge-command.js';
import { scrubCommand } from './scrub-command.js';
import { EXEC_CHOICES, type ExecChoice } from '../engine/execute/exec-strategy.js';
import { parseByteSize } from '../engine/util/byte-size.js';
import { exitWithRerunParent, rerunWithMallocTunables } from '../engine/runtime/malloc-tunables.js';
import { MAX_NUMERIC_BUDGET } from '../language/workspace/numeric-budget-setting.js';
import { COMMANDS, commandHelp, commandUsage, isCommand, usage, type CommandName } from './usage.js';

class UsageError extends Error {
    constructor(message: string, readonly command?: CommandName) {
        super(message);
    }
}

/** The largest seed: the generator mixes a seed as 32 bits, so a larger one would repeat a smaller one's draws. */
const MAX_SEED = 0xffffffff;

const OPTIONS = {
    hypothesis: { type: 'string', multiple: true },
    samples: { type: 'string' },
    seed: { type: 'string' },
    ep: { type: 'string', default: 'cpu' },
    'batch-size': { type: 'string' },
    'chunk-size': { type: 'string' },
    threads: { type: 'string' },
    shard: { type: 'string' },
    'memory-budget': { type: 'string' },
    exec: { type: 'string' },
    'device-memory': { type: 'string' },
    out: { type: 'string', short: 'o' },
    grep: { type: 'string' },
    from: { type: 'string' },
    name: { type: 'string' },
    threshold: { type: 'string' },
    'metric-tolerance': { type: 'string' },
    rule: { type: 'string' },
    budget: { type: 'string' },
    top: { type: 'string' },
    'numeric-budget': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    version: { type: 'boolean', short: 'V', default: false },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command reads (besides --help and --version); any other given option is refused, never ignored. */
const SEARCH_OPTIONS: OptionName[] = ['samples', 'seed', 'ep', 'threads', 'memory-budget', 'json'];
const COMMAND_OPTIONS: Record<CommandName, OptionName[]> = {
    check: ['numeric-budget'],
    scrub: ['hypothesis', 'samples', 'seed', 'ep', 'batch-size', 'chunk-size', 'threads', 'shard', 'memory-budget', 'exec', 'device-memory', 'out', 'json'],
    merge: ['json'],
    graph: ['grep', 'json'],
    draw: ['hypothesis', 'out'],
    discover: ['from', 'name', 'threshold', 'metric-tolerance', 'rule', ...SEARCH_OPTIONS],
    challenge: ['hypothesis', 'budget', 'top', ...SEARCH_OPTIONS],
    help: [],
};

function refuseForeignOptions(command: CommandName, given: readonly string[]): void {
    const foreign = given.filter(o => o !== 'help' && o !== 'version' && !(COMMAND_OPTIONS[command] as string[]).includes(o));
    if (foreign.length > 0) {
        const takes = COMMAND_OPTIONS[command].map(o => `--${o}`).join(', ');
        throw new UsageError(`${command} does not take ${foreign.map(o => `--${o}`).join(', ')}${takes ? ` (it takes ${takes})` : ' (it takes no options)'}`, command);
    }
}

/** A metric tolerance: a number ≥ 0 in the metric's units. */
function toleranceOption(value: string | undefined, command: CommandName): number | null {
    if (value === undefined) return null;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--metric-tolerance must be a number ≥ 0 in the metric's units, such as 0.01 (got "${value}")`, command);
    return n;
}

function intOption(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER, command: CommandName = 'scrub'): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
        throw new UsageError(max === Number.MAX_SAFE_INTEGER ? `--${name} must be an integer ≥ ${min} (got "${value}")`
            : `--${name} must be an integer from ${min} to ${max} (got "${value}")`, command);
    }
    return n;
}

/** A fraction given as 0.9 or 90%. */
function fractionOption(value: string | undefined, name: string, fallback: number, command: CommandName): number {
    if (value === undefined) return fallback;
    const m = /^(-?\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
    const n = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
    if (!(n > 0 && n <= 1)) throw new UsageError(`--${name} must be a fraction in (0, 1], such as 0.9 or 90% (got "${value}")`, command);
    return n;
}

function providerOption(ep: string, command: CommandName): ProviderChoice {
    if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(ep)) throw new UsageError(`--ep must be auto, cpu, cuda or webgpu (got "${ep}")`, command);
    return ep as ProviderChoice;
}

/** `2G`, `512M` or a number of MiB, in bytes. */
function sizeOption(value: string | undefined, name = 'memory-budget'): number | undefined {
    if (value === undefined) return undefined;
    const bytes = parseByteSize(value);
    if (bytes === undefined) throw new UsageError(`--${name} must be a size such as 2G or 512M (got "${value}")`, 'scrub');
    return bytes;
}

function execOption(value: string | undefined): ExecChoice | undefined {
    if (value === undefined) return undefined;
    if (!(EXEC_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--exec must be auto, fused or staged (got "${value}")`, 'scrub');
    return value as ExecChoice;
}

function shardOption(value: string | undefined): ShardSelector | undefined {
    if (value === undefined) return undefined;
    try {
        return parseShard(value);
    } catch (e) {
        if (!isHypError(e)) throw e;
        throw new UsageError(`${e.message}${e.hint ? ` (${e.hint})` : ''}`, 'scrub');
    }
}

/** Refuses an --out the shard could not be written to, before any work: a missing folder, a directory, no write access. */
function outOption(out: string | undefined): string | undefined {
    if (out === undefined) return undefined;
    const refuse = (why: string) => new UsageError(`--out ${out}: cannot write there: ${why}`, 'scrub');
    const stat = (path: string) => statSync(path, { throwIfNoEntry: false });
    if (stat(out)?.isDirectory()) throw refuse('it is a directory');
    const folder = stat(dirname(out));
    if (!folder) throw refuse('its folder does not exist');
    if (!folder.isDirectory()) throw refuse(`${dirname(out)} is not a folder`);
    try {
        accessSync(dirname(out), constants.W_OK);
    } catch {
        throw refuse('its folder is not writable');
    }
    return out;
}

/** A command's file argument: a directory or a file of the wrong kind is a usage error (a missing file is the command's to report). */
function fileArgument(command: CommandName, file: string, extension: string): string {
    const what = `${command} takes ${extension === '.onnx' ? 'an' : 'a'} ${extension} file${command === 'merge' ? ' per shard' : ''}`;
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${file} is a directory: ${what}`, command);
    if (extension === '.hyp' && extname(file) !== '.hyp') {
        throw new UsageError(`${what}, not ${file}${extname(file) === '.onnx' ? ' (hyp graph lists a model\'s tensors)' : ''}`, command);
    }
    return file;
}

/**
 * A negative number after an option that takes a value is that value (`--samples -5`), as
 * `--samples=-5` says: parseArgs would otherwise take it for an option and stop with its own message.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
        const option = name !== undefined ? (OPTIONS as Record<string, { type: string }>)[name] : undefined;
        if (option?.type === 'string' && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
        else out.push(argv[i]);
    }
    return out;
}

function version(): string {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
}

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: joinNegativeValues(argv), allowPositionals: true, options: OPTIONS, tokens: true });
    } catch (e) {
        const command = argv.find(a => !a.startsWith('-'));
        throw new UsageError((e as Error).message, command !== undefined && isCommand(command) ? command : undefined);
    }
    const { values, positionals } = parsed;
    const [command, file, ...rest] = positionals;
    if (values.version) {
        console.log(`hyp ${version()}`);
        return 0;
    }
    if (command === undefined) {
        if (values.help) {
            console.log(usage());
            return 0;
        }
        throw new UsageError('give a command');
    }
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`);
    if (!values.help) refuseForeignOptions(command, parsed.tokens.flatMap(t => (t.kind === 'option' ? [t.name] : [])));
    if (values.help || command === 'help') {
        const topic = command === 'help' ? file : command;
        if (topic === undefined) console.log(usage());
        else if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}" (commands: ${COMMANDS.join(', ')})`);
        else console.log(commandHelp(topic));
        return 0;
    }
    if (command === 'merge') {
        if (file === undefined) throw new UsageError('merge takes the shard files', command);
        return mergeCommand([file, ...rest].map(f => fileArgument(command, f, '.json')), values.json);
    }
    if (file === undefined || rest.length > 0) throw new UsageError(`${command} takes exactly one file`, command);
    if (command === 'scrub' || command === 'discover' || command === 'challenge') {
        // These scrub: they run in a process started with the allocator settings scrubs run
        // faster with (engine/runtime/malloc-tunables.ts), this one again if it lacks them.
        const code = await rerunWithMallocTunables();
        if (code !== undefined) return code;
        exitWithRerunParent();
    }
    switch (command) {
        case 'check':
            return checkCommand(fileArgument(command, file, '.hyp'), { numericBudget: intOption(values['numeric-budget'], 'numeric-budget', 1, MAX_NUMERIC_BUDGET, command) });
        case 'draw':
            try {
                return await drawCommand(fileArgument(command, file, '.hyp'), { hypotheses: values.hypothesis ?? [], out: values.out });
            } catch (e) {
                if (e instanceof DrawUsageError) throw new UsageError(e.message, command);
                throw e;
            }
        case 'discover': {
            const ep = providerOption(values.ep, command);
            const rule = values.rule ?? 'ci';
            if (rule !== 'ci' && rule !== 'point') throw new UsageError(`--rule must be ci or point (got "${rule}")`, command);
            if (values.name !== undefined && !/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(values.name)) throw new UsageError(`--name must be a name such as small_circuit (got "${values.name}")`, command);
            return discoverCommand(fileArgument(command, file, '.hyp'), {
                from: values.from, name: values.name, rule,
                // A tolerance alone is ACDC's rule; with --threshold too, a removal must pass both.
                threshold: values.threshold === undefined && values['metric-tolerance'] !== undefined ? null : fractionOption(values.threshold, 'threshold', 0.9, command),
                metricTolerance: toleranceOption(values['metric-tolerance'], command),
                samples: intOption(values.samples, 'samples', 2), seed: intOption(values.seed, 'seed', 0, MAX_SEED), ep,
                threads: intOption(values.threads, 'threads', 1), memoryBudget: sizeOption(values['memory-budget']), json: values.json,
            });
        }
        case 'challenge': {
            const ep = providerOption(values.ep, command);
            const hypotheses = values.hypothesis ?? [];
            if (hypotheses.length !== 1) throw new UsageError('challenge takes one --hypothesis NAME', command);
            return challengeCommand(fileArgument(command, file, '.hyp'), {
                hypothesis: hypotheses[0], budget: intOption(values.budget, 'budget', 1), top: intOption(values.top, 'top', 1) ?? 3,
                samples: intOption(values.samples, 'samples', 2), seed: intOption(values.seed, 'seed', 0, MAX_SEED), ep,
                threads: intOption(values.threads, 'threads', 1), memoryBudget: sizeOption(values['memory-budget']), json: values.json,
            });
        }
        case 'graph':
            return graphCommand(fileArgument(command, file, '.onnx'), { json: values.json, grep: values.grep });
        case 'scrub': {
            const ep = values.ep as ProviderChoice;
            if ((values.shard === undefined) !== (values.out === undefined)) throw new UsageError('--shard and --out go together', command);
            if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(ep)) throw new UsageError(`--ep must be auto, cpu, cuda or webgpu (got "${ep}")`, command);
            const options = {
                hypotheses: values.hypothesis ?? [],
                samples: intOption(values.samples, 'samples', 2),
                seed: intOption(values.seed, 'seed', 0, MAX_SEED),
                ep,
                json: values.json,
                batchSize: intOption(values['batch-size'], 'batch-size', 1),
                chunkSize: intOption(values['chunk-size'], 'chunk-size', 1),
                threads: intOption(values.threads, 'threads', 1),
                memoryBudget: sizeOption(values['memory-budget']),
                exec: execOption(values.exec),
                deviceMemory: sizeOption(values['device-memory'], 'device-memory'),
                shard: shardOption(values.shard),
                out: outOption(values.out),
            };
            return scrubCommand(fileArgument(command, file, '.hyp'), options);
        }
    }
}

main(process.argv.slice(2)).then(
    code => { process.exitCode = code; },
    (e: unknown) => {
        if (e instanceof UsageError) {
            console.error(`hyp: ${e.message}\n${e.command ? commandUsage(e.command) : usage()}`);
            process.exitCode = 2;
        } else if (isHypError(e)) {
            console.error(e.format());
            // An execution provider the user named that cannot start is a problem of the invocation, not of the files.
            process.exitCode = e.code === 'provider-unavailable' ? 2 : 1;
        } else {
            console.error(`hyp: internal error: ${(e as Error).message ?? String(e)} (please report it; HYP_DEBUG=1 shows details)`);
            if (process.env.HYP_DEBUG) console.error(e);
            process.exitCode = 1;
        }
    },
);
