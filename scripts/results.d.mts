// Types of scripts/results.mjs for the tests.
export interface StoredResult {
    hypothesis: string;
    lossRecovered: number;
    ci95: [number, number];
    samples: number;
    seed: number;
    provider: string;
    seconds: number;
    clean: number;
    scrubbed: number;
    random: number;
    worse: number;
    better: number;
}
export interface StoredExample {
    file: string;
    command: string;
    machine: string;
    wallSeconds: number;
    results: StoredResult[];
}
export interface StoredResults { examples: Record<string, StoredExample> }
export const RESULTS_JSON: string;
export const RESULTS_MD: string;
export const EXAMPLES: { id: string; title: string; file: string; writeup: (name: string) => string | null }[];
/** The second argument is the exploration JSON (scripts/exploration-results.mjs); read from disk when omitted. */
export function renderResults(stored: StoredResults, exploration?: unknown): string;
