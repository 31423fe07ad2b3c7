// The benchmark cases: which hypothesis of which bundled file, over how many roots, and how many
// roots the naive reference runs before its time is scaled to the full count.
export interface BenchCase {
    name: string;
    file: string;
    hypothesis: string;
    roots: number;
    naiveRoots: number;
}

export const CASES: BenchCase[] = [
    { name: 'toy/correct', file: 'examples/toy/toy.hyp', hypothesis: 'correct', roots: 10_000, naiveRoots: 200 },
    { name: 'toy/only_a', file: 'examples/toy/toy.hyp', hypothesis: 'only_a', roots: 10_000, naiveRoots: 200 },
    { name: 'toy/wrong_b', file: 'examples/toy/toy.hyp', hypothesis: 'wrong_b', roots: 10_000, naiveRoots: 200 },
    { name: 'toy/identity', file: 'examples/toy/toy.hyp', hypothesis: 'identity', roots: 10_000, naiveRoots: 200 },
    { name: 'paren/claim1', file: 'examples/paren/paren.hyp', hypothesis: 'claim1', roots: 10_000, naiveRoots: 10 },
    { name: 'paren/claim1@20k', file: 'examples/paren/paren.hyp', hypothesis: 'claim1', roots: 20_000, naiveRoots: 10 },
    { name: 'paren/claim3', file: 'examples/paren/paren.hyp', hypothesis: 'claim3', roots: 10_000, naiveRoots: 5 },
    { name: 'toy/only_a@20k', file: 'examples/toy/toy.hyp', hypothesis: 'only_a', roots: 20_000, naiveRoots: 200 },
];
