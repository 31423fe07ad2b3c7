// The command line's usage text, per command: what `hyp help [COMMAND]` prints and what a usage
// error (exit 2) shows after its one-line message.

export const COMMANDS = ['check', 'scrub', 'merge', 'graph', 'draw', 'discover', 'challenge', 'help'] as const;
export type CommandName = typeof COMMANDS[number];

interface CommandHelp {
    /** The synopsis, `hyp <command> …`; further lines continue it, aligned under its first argument. */
    usage: string[];
    /** What it does and its options, for `hyp help <command>`. */
    details: string;
}

const HELP: Record<CommandName, CommandHelp> = {
    check: {
        usage: ['hyp check FILE.hyp [--numeric-budget N]'],
        details: `Checks a hypothesis file against its model and dataset. Every row of the dataset is checked (inputs
against the model's inputs, labels against its classes, features evaluated, those of a features
module run). The model runs too, with onnxruntime on the CPU, on the dataset's first rows (a check
never scrubs): once on two rows, for the shapes the file does not declare and which tensors vary
between examples; the numeric pass over part-level edges, which perturbs parent parts on 8 rows and
warns where a claimed edge never moved its child (edge-numerically-inert); and, where hooks are
rewritten into sums of parts, the checks that a map is linear and the parts add up to the tensor on
16 rows. Every problem as file:line:col: severity code: message on stdout; each hypothesis's plan
size and a summary line on stderr. Exit 1 when there is an error.

  --numeric-budget N  N times the default bounds (1 to 1024) of the numeric pass over part-level
                      edges: 128 parent parts perturbed and 2^28 elements computed a file. Claimed
                      edges are tested first; numeric-pass-skipped says which were left untested and
                      the N that tests them. In the editor, the setting hyp.numericBudget.`,
    },
    scrub: {
        usage: [
            'hyp scrub FILE.hyp [--hypothesis NAME]... [--samples N] [--seed S] [--ep auto|cpu|cuda|webgpu]',
            '[--batch-size N] [--chunk-size N] [--threads N] [--json]',
            '[--memory-budget SIZE] [--exec auto|fused|staged] [--device-memory SIZE]',
            '[--shard K/N --out PART.json]',
        ],
        details: `Checks the file, then scrubs every hypothesis (or those named) and prints loss recovered with
its 95% CI; --json prints one object.

  --hypothesis NAME   scrub only this hypothesis (repeatable)
  --samples N         root examples (N ≥ 2), overriding the file's \`samples\`
  --seed S            0 … 4294967295, overriding the file's \`seed\`
  --ep PROVIDER       auto (CUDA, then WebGPU, then CPU; says on stderr why it fell back), cpu
                      (default), cuda or webgpu (an error, exit 2, where it cannot start)
  --threads N         CPU threads (default: every core)
  --memory-budget SIZE  activations held at once, e.g. 2G (default) or 512M
  --batch-size N, --chunk-size N  override the sizes derived from the budget (results do not change)
  --exec STRATEGY     fused: each chunk of roots is one onnxruntime run of one graph (pays on a GPU);
                      staged: every local function runs on batches of its requests; auto (default):
                      fused on a GPU provider, staged on the CPU. Results agree to float32 rounding
  --device-memory SIZE  GPU memory a fused chunk may take (default 8G), which sizes its chunks
  --shard K/N --out PART.json     compute the K-th of N blocks of roots; \`hyp merge\` combines them`,
    },
    merge: {
        usage: ['hyp merge PART.json... [--json]'],
        details: 'Combines the shard files written by `hyp scrub --shard K/N --out PART.json` into the unsharded result.',
    },
    graph: {
        usage: ['hyp graph MODEL.onnx [--grep TEXT] [--json]'],
        details: "Lists a model's inputs, outputs and tensors with dtype, shape, producing op and the module path torch encodes in the name: the names a hypothesis can use. Shapes the file does not declare come from running the model once on zero inputs; `no batch` marks tensors that are the same for every example (they cannot be hook points). `--grep attn` keeps the tensors whose name, op or module contains `attn`.",
    },
    draw: {
        usage: ['hyp draw FILE.hyp [--hypothesis NAME]... [-o OUT.svg | -o FOLDER/]'],
        details: `Checks the file, then draws a hypothesis over the model graph G as SVG: hook points and their
parts as boxes from the input (left) to the output (right), each I node on its G node with its
feature, claimed edges solid, G-parents resampled from a random input dashed grey, edges into
unclaimed nodes faint. The same file always gives the same bytes.

  --hypothesis NAME   draw this hypothesis (repeatable); needed when the file has several,
                      unless -o is a folder
  -o, --out PATH      an .svg file, or a folder (ending in /, created) for one NAME.svg per
                      hypothesis; stdout when absent

Only SVG is written: convert it with any SVG tool (rsvg-convert, Inkscape, a browser) for PNG or PDF.`,
    },
    discover: {
        usage: [
            'hyp discover FILE.hyp [--from NAME] [--threshold 0.9] [--metric-tolerance TAU] [--rule ci|point] [--name NAME]',
            '[--samples N] [--seed S] [--ep PROVIDER] [--threads N] [--memory-budget SIZE] [--json]',
        ],
        details: `Searches for a smaller hypothesis: starting from --from (default: the identity, every hook
point and part the output depends on claimed with every G-parent), removes I-edges output side
first in reverse topological order, keeping a removal while loss recovered passes the threshold.
Prints the result as a hypothesis block on stdout (append it with >> FILE.hyp), with a comment per
removed edge giving the loss recovered after it and the search's cost; each trial goes to stderr.

  --from NAME         start from this hypothesis of the file
  --threshold T       loss recovered to keep (0.9 by default; 0.9 or 90%)
  --metric-tolerance TAU
                      ACDC's rule: a removal is kept when the candidate behaves at most TAU worse
                      than the circuit before it, in the metric's units (a loss that rises, an
                      accuracy that falls), paired over the same roots. Alone, no threshold is
                      used; with --threshold, a removal must pass both
  --rule ci|point     ci (default): a removal is kept when the lower end of its 95% CI stays at
                      or above T (and the one-sided 95% upper bound of its worsening is at most
                      TAU); point: when the point estimates do
  --name NAME         the found hypothesis's name (default FROM_discovered)
  --samples N, --seed S, --ep, --threads N, --memory-budget SIZE   as for scrub (every candidate
                      is scrubbed with the same roots and seed)`,
    },
    challenge: {
        usage: [
            'hyp challenge FILE.hyp --hypothesis NAME [--budget N] [--top K]',
            '[--samples N] [--seed S] [--ep PROVIDER] [--threads N] [--memory-budget SIZE] [--json]',
        ],
        details: `The adversary: scrubs refinements of the hypothesis that it implies (a node's feature made finer
by conjoining it with a dataset field or another node's feature) and reports the K that lower loss
recovered most, each as a hypothesis block ready to paste, with its number and CI. The hypothesis
is flagged when a refinement lowers loss recovered by more than the half-width of its 95% CI and
the drop is significant on the same roots (paired bootstrap, one-sided 5% with a Bonferroni
correction over the refinements scrubbed). Dropped claimed edges (stronger claims, not implied)
are scored and listed apart; they never flag.

  --budget N          refinements scrubbed at most (default 60)
  --top K             refinements reported (default 3)
  --samples N, --seed S, --ep, --threads N, --memory-budget SIZE   as for scrub`,
    },
    help: {
        usage: ['hyp help [COMMAND]'],
        details: 'Prints every command, or one command with its options. `hyp --version` prints the version.',
    },
};

/** Every command's synopsis. */
export function usage(): string {
    return `usage:\n${COMMANDS.map(c => synopsis(c, '  ')).join('\n')}\n  hyp --version`;
}

/** One command's synopsis, as a usage error shows it. */
export function commandUsage(command: CommandName): string {
    return synopsis(command, 'usage: ');
}

/** One command's synopsis and details, for `hyp help COMMAND`. */
export function commandHelp(command: CommandName): string {
    return `${commandUsage(command)}\n\n${HELP[command].details}`;
}

export function isCommand(name: string): name is CommandName {
    return (COMMANDS as readonly string[]).includes(name);
}

function synopsis(command: CommandName, lead: string): string {
    const [first, ...rest] = HELP[command].usage;
    const pad = ' '.repeat(lead.length + `hyp ${command} `.length);
    return [lead + first, ...rest.map(l => pad + l)].join('\n');
}
