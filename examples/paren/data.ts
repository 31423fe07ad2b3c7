// The paren-balance task: strings of up to 40 parentheses, labelled balanced (1) or not (0). The
// mix makes both tests of the write-up necessary: strings whose counts differ although their
// nesting depth never goes negative need the count test; strings with equal counts whose depth goes
// negative somewhere (horizon failures) need the horizon test.
import { randInt, shuffle, type Rng } from './lib/rng.js';

export const MAX_PARENS = 40;
/** Token ids: the vocabulary, in order. */
export const VOCAB = ['[START]', '(', ')', '[END]', '[PAD]'] as const;
export const START = 0, OPEN = 1, CLOSE = 2, END = 3, PAD = 4;
/** [START] + 40 parentheses + [END]. */
export const N_CTX = MAX_PARENS + 2;

/** One dataset row; features compute from `text`, `tokens` feeds the model directly. */
export interface ParenRow {
    text: string;
    label: 0 | 1;
    tokens: number[];
}

export type Kind = 'balanced' | 'count' | 'count_nonneg' | 'horizon' | 'horizon_near';

/** Token ids of a string: [START], one token per parenthesis, [END], [PAD]s up to N_CTX. */
export function tokenize(text: string): number[] {
    const t = [START, ...[...text].map(ch => (ch === '(' ? OPEN : CLOSE)), END];
    while (t.length < N_CTX) t.push(PAD);
    return t;
}

export function isBalanced(text: string): boolean {
    let depth = 0;
    for (const ch of text) {
        depth += ch === '(' ? 1 : -1;
        if (depth < 0) return false;
    }
    return depth === 0;
}

/** A uniformly random balanced string of 2k parentheses (cycle lemma). */
function dyck(rng: Rng, k: number): string {
    const s = shuffle(rng, [...'('.repeat(k), ...')'.repeat(k + 1)]);
    // The rotation starting just after the first minimum of the prefix sums is a Dyck word + ')'.
    let depth = 0, min = 0, at = 0;
    for (let i = 0; i < s.length; i++) {
        depth += s[i] === '(' ? 1 : -1;
        if (depth < min) { min = depth; at = i + 1; }
    }
    const r = [...s.slice(at), ...s.slice(0, at)];
    return r.slice(0, -1).join('');
}

function randomString(rng: Rng, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += rng() < 0.5 ? '(' : ')';
    return s;
}

/** One string of the given kind (label follows from the kind). */
export function sample(rng: Rng, kind: Kind): string {
    for (;;) {
        let s: string;
        if (kind === 'balanced') {
            s = dyck(rng, 1 + randInt(rng, MAX_PARENS / 2));
        } else if (kind === 'count') {
            s = randomString(rng, 1 + randInt(rng, MAX_PARENS));
            if (count(s, '(') === count(s, ')')) continue;
        } else if (kind === 'count_nonneg') {
            // A balanced string with one ')' turned into '(' (or a '(' inserted): the depth never
            // goes negative, only the counts differ.
            if (rng() < 0.5) {
                const w = [...dyck(rng, 1 + randInt(rng, MAX_PARENS / 2))];
                const closes = w.flatMap((ch, i) => (ch === ')' ? [i] : []));
                w[closes[randInt(rng, closes.length)]] = '(';
                s = w.join('');
            } else {
                const w = dyck(rng, randInt(rng, MAX_PARENS / 2));
                const at = randInt(rng, w.length + 1);
                s = w.slice(0, at) + '(' + w.slice(at);
            }
        } else if (kind === 'horizon') {
            const k = 1 + randInt(rng, MAX_PARENS / 2);
            s = shuffle(rng, [...'('.repeat(k), ...')'.repeat(k)]).join('');
        } else {
            // A balanced string with one '(' swapped with a later ')': equal counts, and the depth
            // between them drops by 2, often just below zero.
            const w = [...dyck(rng, 1 + randInt(rng, MAX_PARENS / 2))];
            const i = randInt(rng, w.length), j = randInt(rng, w.length);
            if (!(i < j && w[i] === '(' && w[j] === ')')) continue;
            [w[i], w[j]] = [w[j], w[i]];
            s = w.join('');
        }
        if (s.length === 0 || s.length > MAX_PARENS) continue;
        if (kind !== 'balanced' && isBalanced(s)) continue;
        return s;
    }
}

function count(s: string, ch: string): number {
    let c = 0;
    for (const x of s) if (x === ch) c++;
    return c;
}

/** Half balanced, the other half split evenly between the four kinds of unbalanced strings. */
export function sampleRow(rng: Rng): ParenRow {
    const u = rng();
    const kind: Kind = u < 0.5 ? 'balanced' : u < 0.625 ? 'count' : u < 0.75 ? 'count_nonneg' : u < 0.875 ? 'horizon' : 'horizon_near';
    const text = sample(rng, kind);
    return { text, label: isBalanced(text) ? 1 : 0, tokens: tokenize(text) };
}
