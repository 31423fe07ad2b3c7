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
});
