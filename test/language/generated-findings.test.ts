// The files test/language/generated-hypotheses.test.ts generated that `hyp check` accepted and a
// scrub then failed on, each cut down to what it needs: the check accepts it and the scrub runs,
// with the score the file implies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { scrub } from '../../engine/scrub.js';
import type { ScrubResult } from '../../engine/result.js';
import { checkHypFile } from '../../language/check-file.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const work = mkdtempSync(join(tmpdir(), 'hyp-findings-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TINY_GPT_HEAD = `model "${EXAMPLES}/torch-export/tiny_gpt.onnx"
dataset "${EXAMPLES}/torch-export/tiny_gpt.jsonl" {
    input tokens = tokens
    label prev
}
metric cross_entropy at position pos
`;

/** Checks `text` as hyp check does (no error allowed) and scrubs it on a few roots, staged and fused. */
async function checkAndScrub(name: string, text: string): Promise<Map<string, ScrubResult>[]> {
    const path = join(work, `${name}.hyp`);
    writeFileSync(path, text);
    const checked = await checkHypFile(path, { prober: probeModelFile });
    expect(checked.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    const runs = [];
    for (const exec of ['staged', 'fused'] as const) {
        const results = await scrub(checked.spec!, { samples: 16, seed: 0, ep: 'cpu', threads: 1, exec });
        runs.push(new Map(results.map(r => [r.hypothesis, r])));
    }
    return runs;
}

const PAREN_HEAD = `model "${EXAMPLES}/paren/paren.onnx"
dataset "${EXAMPLES}/paren/paren.jsonl" {
    input tokens = tokens
    label label
}
metric accuracy
`;

describe('generated files hyp check accepted, scrubbed', () => {
    it('a hook on one output of a Split (tiny_gpt\'s fused qkv split three ways): its readers\' local functions define it once', async () => {
        // Was: internal error "This is an invalid model. Error: Duplicate definition of name
        // (/blocks.1/attn/Split_output_1)" from the self-check, for any hypothesis.
        const runs = await checkAndScrub('split-output', `${TINY_GPT_HEAD}
graph {
    node K = "/blocks.1/attn/Split_output_1"
}
hypothesis nothing {
    output
}
hypothesis identity {
    node k -> K <- input
    output <- k, input
}
`);
        for (const r of runs) {
            expect(r.get('nothing')!.lossRecovered).toBe(0);
            expect(r.get('identity')!.lossRecovered).toBeCloseTo(1, 6);
        }
    });

    it('an attention pattern split along its key axis: the sliced local function that reads it cuts the part out of a Softmax computed whole', async () => {
        // Was: internal error "Duplicate definition of name (blocks.1.attn.hook_pattern)" from the
        // local function of the pattern's part, sliced to the keys it holds (region-slice.ts).
        const runs = await checkAndScrub('pattern-keys', `${PAREN_HEAD}
graph {
    node Q = "blocks.1.ln1.hook_normalized_q" split axis 3 { p0: 52 }
    node P = "blocks.1.attn.hook_pattern" split axis 3 { p0: [6, 29] }
}
hypothesis nothing {
    output
}
hypothesis identity {
    node q0 -> Q.p0 <- input
    node q -> Q.rest <- input
    node p0 -> P.p0 <- q0, q, input
    node p -> P.rest <- q0, q, input
    output <- input, p0, p
}
hypothesis keys {
    node q -> Q.rest = tokens[1]
    node p0 -> P.p0 = label <- q
    output <- p0
}
`);
        for (const r of runs) {
            expect(r.get('nothing')!.lossRecovered).toBe(0);
            expect(r.get('identity')!.lossRecovered).toBeCloseTo(1, 6);
        }
        expect(runs[1].get('keys')!.lossRecovered).toBeCloseTo(runs[0].get('keys')!.lossRecovered, 6);
    });
});
