// Writes a lowered hypothesis back as `.hyp` text, so that what discover and challenge find can be
// pasted into the file it came from and checked there (`hyp check` accepts it: tested by parsing
// the text back). Lowering flattens `extends` and drops comments and layout, so the text is the
// hypothesis's meaning, not its original wording.
import type { Expr, HypothesisSpec, InterpNodeSpec } from '../spec.js';

/** Binding strength of each expression form, loosest first (the grammar's precedence ladder). */
const Level = { Conditional: 0, Or: 1, And: 2, Not: 3, Comparison: 4, Additive: 5, Multiplicative: 6, Unary: 7, Postfix: 8, Primary: 9 } as const;
type Level = number;

const BINARY_LEVEL: Record<string, Level> = {
    or: Level.Or, and: Level.And,
    '==': Level.Comparison, '!=': Level.Comparison, '<': Level.Comparison, '<=': Level.Comparison, '>': Level.Comparison, '>=': Level.Comparison,
    '+': Level.Additive, '-': Level.Additive, '*': Level.Multiplicative, '/': Level.Multiplicative, '%': Level.Multiplicative,
};

/** A feature expression as `.hyp` text, parenthesised only where precedence needs it. */
export function exprToHyp(e: Expr): string {
    return write(e, Level.Conditional);
}

function write(e: Expr, needs: Level): string {
    const [text, level] = form(e);
    return level < needs ? `(${text})` : text;
}

function form(e: Expr): [string, Level] {
    switch (e.kind) {
        case 'number':
            // A negative literal reads as a unary minus; lowering gives one for `-1`, a writer may not.
            return e.value < 0 || Object.is(e.value, -0) ? [`-${numberText(-e.value)}`, Level.Unary] : [numberText(e.value), Level.Primary];
        case 'string': return [JSON.stringify(e.value), Level.Primary];
        case 'boolean': return [String(e.value), Level.Primary];
        case 'list': return [`[${e.items.map(exprToHyp).join(', ')}]`, Level.Primary];
        case 'ref': return [e.name, Level.Primary];
        case 'unary':
            return e.op === 'not' ? [`not ${write(e.arg, Level.Not)}`, Level.Not] : [`-${write(e.arg, Level.Unary)}`, Level.Unary];
        case 'binary': {
            const level = BINARY_LEVEL[e.op];
            // Left-associative chains; a comparison does not chain, so both its sides are additive.
            const left = write(e.left, level === Level.Comparison ? Level.Additive : level);
            const right = write(e.right, level === Level.Comparison ? Level.Additive : level + 1);
            return [`${left} ${e.op} ${right}`, level];
        }
        case 'conditional':
            return [`${write(e.then, Level.Or)} if ${write(e.test, Level.Or)} else ${write(e.else, Level.Conditional)}`, Level.Conditional];
        case 'index': return [`${write(e.target, Level.Postfix)}[${exprToHyp(e.index)}]`, Level.Postfix];
        case 'slice':
            return [`${write(e.target, Level.Postfix)}[${e.start ? exprToHyp(e.start) : ''}:${e.end ? exprToHyp(e.end) : ''}]`, Level.Postfix];
        case 'call': return [`${e.callee}(${e.args.map(exprToHyp).join(', ')})`, Level.Primary];
        case 'lambda': {
            const params = e.params.length === 1 ? e.params[0] : `(${e.params.join(', ')})`;
            // Only ever a call argument, where the grammar takes it whole.
            return [`${params} => ${exprToHyp(e.body)}`, Level.Conditional];
        }
    }
}

function numberText(v: number): string {
    // `1e-7` and `1e+21` are what String gives; the grammar's NUMBER has no `+` in the exponent.
    return String(v).replace('e+', 'e');
}

/** One I node as a `node` line (or the `output` line). */
export function interpNodeToHyp(n: InterpNodeSpec): string {
    const parents = n.parents.length > 0 ? ` <- ${n.parents.join(', ')}` : '';
    if (n.graphNode === 'output') return `output${parents}`;
    const feature = n.feature === null ? '' : ` = ${exprToHyp(n.feature)}`;
    return `node ${n.name} -> ${n.graphNode}${feature}${parents}`;
}

export interface HypothesisTextOptions {
    /** Comment lines written at the top of the block (without `//`). */
    header?: string[];
    /** Comment lines written after a node's line, by I node name ('output' for the output). */
    notes?: ReadonlyMap<string, string[]>;
    indent?: string;
}

/**
 * A hypothesis block: `hypothesis NAME { … }` with its nodes parents first and the output last.
 * Run options are left to the file's top level (they are written in the header by the callers
 * that used other ones).
 */
export function hypothesisToHyp(h: HypothesisSpec, opts: HypothesisTextOptions = {}): string {
    const indent = opts.indent ?? '    ';
    const lines: string[] = [];
    for (const c of opts.header ?? []) lines.push(`// ${c}`.trimEnd());
    lines.push(`hypothesis ${h.name} {`);
    const output = h.nodes.filter(n => n.graphNode === 'output');
    for (const n of [...h.nodes.filter(n => n.graphNode !== 'output'), ...output]) {
        lines.push(indent + interpNodeToHyp(n));
        for (const c of opts.notes?.get(n.graphNode === 'output' ? 'output' : n.name) ?? []) lines.push(`${indent}// ${c}`.trimEnd());
    }
    lines.push('}');
    return lines.join('\n');
}

/**
 * `base`, or `base2`, `base3`, … : the first that no hypothesis of the file is named. A base that
 * ends in a digit takes `_2`, `_3`, … (`only_a_refined1_2`, not `only_a_refined12`, which reads as
 * the twelfth refinement).
 */
export function unusedName(base: string, taken: Iterable<string>): string {
    const names = new Set(taken);
    const join = /\d$/.test(base) ? '_' : '';
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base}${join}${i}`;
    return name;
}
