// A family of synthetic hypotheses on the paren model whose treeified interpretation grows
// exponentially with depth and fan-in while the requests the engine computes grow slowly: the
// benchmark shows that scrubbing cost follows distinct requests, not tree paths.
//
// Shape d·f: the last d attention layers of the model are claimed. Layer L's residual input
// A_L (`resid_unsqueezed`, split by position into f - 1 single positions and the rest) is read by
// both of its heads R_L.h0 and R_L.h1, and each part of A_L reads the input and every claimed head
// below it. So a head has f I-parents, a part 1 + 2·(claimed layers below), and the tree's paths
// multiply by about 2f per layer. Every G-parent of every node is claimed except the direct
// path from the input to the output, so no draw deep in the tree is a fresh resample.
//
// Features sit on the top two layers only (the count test on the top heads, the horizon test on
// the heads below, as in examples/paren/paren.hyp's claim 1): each occurrence of a head with a
// feature draws its own example, and everything under it that has no feature runs on that
// example, so it is a clean activation the engine reads instead of computing. A third layer adds
// paths (2f times as many) but no draws.

export interface SyntheticShape {
    /** Claimed attention layers, counted from the last: 1, 2 or 3 (the paren model has 3). */
    depth: number;
    /** I-parents of each claimed head: the parts of its layer's residual input (≥ 2). */
    fanIn: number;
}

/** The cases the benchmark runs: depth at fan-in 4, then fan-in at depth 3. */
export const SYNTHETIC_FAMILY: readonly SyntheticShape[] = [
    { depth: 1, fanIn: 4 },
    { depth: 2, fanIn: 4 },
    { depth: 3, fanIn: 4 },
    { depth: 3, fanIn: 2 },
    { depth: 3, fanIn: 8 },
    { depth: 3, fanIn: 16 },
];

const LAYERS = 3;
const COUNT_TEST = 'count(text, "(") == count(text, ")")';
const HORIZON_TEST = 'all(cumsum(map(reverse(text), c => 1 if c == ")" else -1)), d => d >= 0)';

/** `d3f4` for depth 3, fan-in 4: the hypothesis's name and its file's. */
export function syntheticName(s: SyntheticShape): string {
    return `d${s.depth}f${s.fanIn}`;
}

/** The file, relative to the repository root, that holds the shape's hypothesis. */
export function syntheticFile(s: SyntheticShape): string {
    return `bench/synthetic/${syntheticName(s)}.hyp`;
}

/** The .hyp text of one shape; model and dataset paths are relative to bench/synthetic/. */
export function syntheticHyp(s: SyntheticShape): string {
    if (!Number.isInteger(s.depth) || s.depth < 1 || s.depth > LAYERS) throw new Error(`depth must be 1..${LAYERS} (got ${s.depth})`);
    if (!Number.isInteger(s.fanIn) || s.fanIn < 2 || s.fanIn > 42) throw new Error(`fan-in must be 2..42 (got ${s.fanIn})`);
    const layers = Array.from({ length: s.depth }, (_, k) => LAYERS - s.depth + k); // bottom first
    const positions = Array.from({ length: s.fanIn - 1 }, (_, i) => i);
    const parts = [...positions.map(i => `p${i}`), 'rest'];
    const heads = (L: number) => [`r${L}_h0`, `r${L}_h1`];
    const feature = (L: number) => (L === LAYERS - 1 ? ` = ${COUNT_TEST}` : L === LAYERS - 2 ? ` = ${HORIZON_TEST}` : '');

    const lines = [
        `// ${syntheticName(s)}.hyp — written by bench/synthetic/family.ts (regenerate with`,
        `// \`npx vitest run test/bench -u\`); see that file for what the family measures.`,
        `// Depth ${s.depth}, fan-in ${s.fanIn}: layers ${layers.join(', ')} claimed.`,
        '',
        'model "../../examples/paren/paren.onnx"',
        '',
        'dataset "../../examples/paren/paren.jsonl" {',
        '    input tokens = tokens',
        '    label label',
        '}',
        '',
        'graph {',
    ];
    for (const L of layers) {
        lines.push(`    node A${L} = "blocks.${L}.attn.resid_unsqueezed" split axis 1 { ${positions.map(i => `p${i}: ${i}`).join(', ')} }`);
        lines.push(`    node R${L} = "blocks.${L}.attn.hook_result" split axis 2 { h0: 0, h1: 1 }`);
    }
    lines.push('}', '', 'metric cross_entropy', '', 'samples 2000', 'seed 2022', '', `hypothesis ${syntheticName(s)} {`);
    for (const L of layers) {
        const below = layers.filter(l => l < L).flatMap(heads);
        for (const p of parts) lines.push(`    node a${L}_${p} -> A${L}.${p} <- ${['input', ...below].join(', ')}`);
        for (const [h, name] of heads(L).entries()) {
            lines.push(`    node ${name} -> R${L}.h${h}${feature(L)} <- ${parts.map(p => `a${L}_${p}`).join(', ')}`);
        }
    }
    lines.push(`    output <- ${layers.flatMap(heads).join(', ')}`, '}', '');
    return lines.join('\n');
}
