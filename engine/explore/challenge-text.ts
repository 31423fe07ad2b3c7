// What the adversary found, as text: each refinement as a hypothesis block to paste (`extends` the
// challenged hypothesis and overrides the one node it changes), with its number, CI and drop.
import type { ChallengeResult, Refinement } from './challenge.js';
import { scoreText } from './discover-text.js';
import { hypothesisToHyp, interpNodeToHyp } from './hypothesis-text.js';

/** `drop 7.9 points (± 1.1 paired s.e.)` */
export function dropText(r: Pick<Refinement, 'drop' | 'dropSe'>): string {
    return `drop ${(100 * r.drop).toFixed(1)} points (paired s.e. ${(100 * r.dropSe).toFixed(1)})`;
}

/** A refinement as a block named `name`: `extends` the hypothesis where that states it, the whole block otherwise. */
export function refinementToHyp(c: ChallengeResult, r: Refinement, name: string): string {
    const header = [`${r.description}: ${scoreText(r.score)}, ${dropText(r)} from ${c.hypothesis.name}'s ${scoreText(c.score)}`,
        `(hyp challenge, ${c.samples} samples, seed ${c.seed})`];
    const base = new Map(c.hypothesis.nodes.map(n => [n.name, n]));
    const kept = new Set(r.hypothesis.nodes.map(n => n.name));
    // Extends cannot remove a node: a refinement that leaves one unread is written whole.
    if ([...base.keys()].some(n => !kept.has(n))) return hypothesisToHyp({ ...r.hypothesis, name }, { header });
    const changed = r.hypothesis.nodes.filter(n => JSON.stringify(n) !== JSON.stringify(base.get(n.name)));
    return [...header.map(h => `// ${h}`), `hypothesis ${name} extends ${c.hypothesis.name} {`,
        ...changed.map(n => `    ${interpNodeToHyp(n)}`), '}'].join('\n');
}
