// What the client shows, computed without VS Code: the status bar text, the result page with its
// histogram, the challenge view, the model graph page, and which hypothesis a palette command means.
import { describe, expect, test } from 'vitest';
import type { ScrubResult } from '../../engine/result.js';
import { DEFAULT_SCRUB_SETTINGS, type ResultView } from '../../language/communication/rpc.js';
import type { ChallengeReport } from '../../engine/worker/protocol.js';
import { challengeHtml } from '../../client/challenge-html.js';
import { graphMarkdown } from '../../client/graph-markdown.js';
import { hypothesisAt, hypothesisNames } from '../../client/hypothesis-at.js';
import { histogram, perExampleChange, resultHtml } from '../../client/result-html.js';
import { statusText } from '../../client/status-text.js';
import { describeResult } from '../../language/lsp/scrub-status.js';
import { lensTitles } from '../../language/lsp/hyp-code-lens-provider.js';

const result: ScrubResult = {
    hypothesis: 'h', lossRecovered: 0.873, ci95: [0.861, 0.884], clean: 0.1, scrubbed: 0.3, random: 1.7, samples: 2048, seed: 0,
    metric: 'cross_entropy', ablation: 'resample', unimportant: 'shared', provider: 'cpu', providerFallbacks: [], seconds: 4.12,
    worse: 0.25, better: 0.05, hurtMost: [{ example: 41, clean: 0.1, scrubbed: 2.5 }],
    stats: { requests: 1, computedRequests: 1, cleanExamples: 1, sessionRuns: 1 },
    perExample: { examples: [41, 7, 3, 9], clean: [0.1, 0.2, 0.1, 0.3], scrubbed: [2.5, 0.2, 0.0, 0.4], random: [1, 1, 1, 1] },
};
const view = (stale: boolean): ResultView<ScrubResult> => ({ stale, stored: { key: 'k', uri: 'file:///a.hyp', hypothesis: 'h', finished: 0, settings: DEFAULT_SCRUB_SETTINGS, result } });

describe('code lens and status bar text', () => {
    test('a result reads as the issue shows it', () => {
        expect(describeResult({ lossRecovered: 0.873, ci95: [0.861, 0.884], samples: 2048, seconds: 4.12, provider: 'cpu' }))
            .toBe('loss recovered 87.3% (95% CI 86.1–88.4) · 2,048 samples · 4.1 s · cpu');
    });

    test('a result of the execution provider auto that fell back says which providers did not start', () => {
        const summary = { lossRecovered: 0.873, ci95: [0.861, 0.884] as [number, number], samples: 2048, seconds: 4.12, provider: 'cpu',
            providerFallbacks: ['cuda: the CUDA provider libraries are not installed', 'webgpu: no Vulkan loader (libvulkan.so.1) on this machine'] };
        expect(describeResult(summary)).toBe('loss recovered 87.3% (95% CI 86.1–88.4) · 2,048 samples · 4.1 s · cpu (auto: cuda, webgpu did not start)');
        expect(lensTitles({ kind: 'done', stale: false, summary })[0][0]).toMatch(/· cpu \(auto: cuda, webgpu did not start\)$/);
    });

    test('each state has its lenses and commands', () => {
        expect(lensTitles({ kind: 'idle' })).toEqual([['▶ Scrub', 'hyp.scrub']]);
        expect(lensTitles({ kind: 'running', fraction: 0.374 }).map(l => l[0])).toEqual(['$(sync~spin) Scrubbing… 37%', '■ Cancel']);
        expect(lensTitles({ kind: 'failed', message: 'boom\nsecond line' }).map(l => l[0])).toEqual(['$(error) scrub failed: boom', '↻ Retry']);
        const summary = { lossRecovered: 1, ci95: [1, 1] as [number, number], samples: 16, seconds: 0.2, provider: 'cpu' };
        expect(lensTitles({ kind: 'done', summary, stale: false })[1]).toEqual(['↻ Rerun', 'hyp.scrub', { rerun: true }]);
        expect(lensTitles({ kind: 'done', summary, stale: true })[0][0]).toBe('$(history) stale: loss recovered 100.0% (95% CI 100.0–100.0) · 16 samples · 0.2 s · cpu');
    });

    test('the status bar shows the running job and how many wait, and nothing when idle', () => {
        expect(statusText([])).toBeUndefined();
        expect(statusText([
            { uri: 'u', hypothesis: 'correct', state: 'running', fraction: 0.37 },
            { uri: 'u', hypothesis: 'only_a', state: 'queued', fraction: 0 },
        ])).toBe('$(sync~spin) Scrubbing correct 37% (+1 queued)');
    });
});

describe('result view', () => {
    test('the histogram counts every per-example change once', () => {
        const changes = perExampleChange(result);
        expect(changes.map(x => +x.toFixed(6))).toEqual([2.4, 0, -0.1, 0.1]);
        const h = histogram(changes, 5);
        expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4);
        expect(h.counts[4]).toBe(1);
        expect(histogram([1, 1], 3).counts).toEqual([0, 2, 0]);
    });

    test('the page shows the numbers, the hurt examples, and says when the result is stale', () => {
        const html = resultHtml(view(false), 'Scrub: h', 'vscode-resource:');
        expect(html).toContain('87.3% (95% CI 86.1%–88.4%)');
        expect(html).toContain('<td>41</td><td>42</td>');
        expect(html).toContain('<svg class="histogram"');
        expect(html).not.toContain('<script');
        expect(html).not.toContain('Stale:');
        expect(resultHtml(view(true), 'Scrub: h', 'x')).toContain('Stale:');
    });
});

describe('challenge view', () => {
    const report: ChallengeReport = {
        hypothesis: 'h', score: { lossRecovered: 0.963, ci95: [0.959, 0.967] }, flagged: true,
        verdict: 'flagged: a\'s feature conjoined with the field s gives 92.7% (95% CI 92.0–93.4)', rule: 'flagged when … <the rule>',
        refinements: [
            { name: 'h_refined1', description: 'a\'s feature conjoined with the field s', score: { lossRecovered: 0.927, ci95: [0.92, 0.934] },
                drop: 0.036, dropSe: 0.003, counts: true, text: 'hypothesis h_refined1 extends h {\n    node a -> A = [u, s] <- input\n}' },
            { name: 'h_refined2', description: 'a\'s feature conjoined with the field <g>', score: { lossRecovered: 0.962, ci95: [0.958, 0.966] },
                drop: 0.001, dropSe: 0.002, counts: false, text: 'hypothesis h_refined2 extends h {}' },
        ],
        scrubbedRefinements: 4, candidates: 6, unscrubbed: 0, samples: 4000, seed: 11, scrubs: 7, seconds: 3.21,
    };

    test('the page gives the verdict, the rule, the hypothesis\'s score and each refinement with its Insert button', () => {
        const html = challengeHtml(report, 'Challenge: h', 'vscode-resource:', 'N0NCE');
        expect(html).toContain('<p class="verdict flagged"><strong>Flagged</strong>: a&#39;s feature conjoined with the field s gives 92.7% (95% CI 92.0–93.4)</p>');
        expect(html).toContain('Rule: flagged when … &#60;the rule&#62;.');
        expect(html).toContain('<tr><th>loss recovered</th><td>96.3% (95% CI 95.9–96.7%)</td></tr>');
        expect(html).toContain('<tr><th>CI half-width</th><td>0.4 points</td></tr>');
        expect(html).toContain('<td>4 of 6 candidates</td>');
        expect(html).toContain('<tr><th>drop</th><td>3.6 points (paired s.e. 0.3)</td></tr>');
        expect(html).toContain('<h4>h_refined1 <span class="badge">counts against the hypothesis</span></h4>');
        expect(html).toContain('<h4>h_refined2</h4>');
        expect(html).toContain('field &#60;g&#62;');
        expect(html.match(/<button type="button" class="insert" data-index="\d">Insert<\/button>/g)).toHaveLength(2);
        expect(html).toContain('<pre>hypothesis h_refined1 extends h {\n    node a -&#62; A = [u, s] &#60;- input\n}</pre>');
    });

    test('its one script runs under the page\'s nonce and nothing else may run', () => {
        const html = challengeHtml(report, 'Challenge: h', 'vscode-resource:', 'N0NCE');
        expect(html).toContain('content="default-src \'none\'; style-src vscode-resource: \'unsafe-inline\'; script-src \'nonce-N0NCE\';"');
        expect(html.match(/<script/g)).toHaveLength(1);
        expect(html).toContain('<script nonce="N0NCE">');
        expect(html).not.toMatch(/ on[a-z]+=/);
    });

    test('a hypothesis with nothing to refine is not flagged and says why', () => {
        const html = challengeHtml({ ...report, flagged: false, verdict: 'nothing to refine (no node has a feature)', refinements: [] }, 'Challenge: h', 'x', 'n');
        expect(html).toContain('<strong>Not flagged</strong>: nothing to refine (no node has a feature)');
        expect(html).toContain('No refinement to show');
        expect(html).not.toContain('class="insert"');
    });
});

describe('model graph page and hypothesis under the cursor', () => {
    test('the graph page lists hook points and the correspondence', () => {
        const md = graphMarkdown({
            modelPath: '/m/toy_or.onnx',
            nodes: [{ name: 'A', tensor: 'A', shape: '[batch, 1]', op: 'Sigmoid', parents: ['input.z1', 'input.z2'] }],
            hypothesis: { name: 'correct', mapping: [{ interpNode: 'a', graphNode: 'A', feature: 'z[0] > 3', parents: ['input.z1'] }] },
        });
        expect(md).toContain('| A | A | [batch, 1] | Sigmoid | input.z1, input.z2 |');
        expect(md).toContain('| a | A | `z[0] > 3` | input.z1 |');
        expect(md).not.toContain('numerically inert');
    });

    test('an I-parent the numeric pass found inert says so, with a note', () => {
        const md = graphMarkdown({
            modelPath: '/m/model.onnx', nodes: [],
            hypothesis: { name: 'h', mapping: [{ interpNode: 'a', graphNode: 'A.a0', feature: '—', parents: ['input.z0', 'input.z2'], inert: { 'input.z2': 32 } }] },
        });
        expect(md).toContain('| a | A.a0 | `—` | input.z0, input.z2 (numerically inert: moved it in 0 of 32 trials) |');
        expect(md).toMatch(/A numerically inert I-parent: perturbing it on dataset rows never moved the node/);
    });

    test('the hypothesis around a line is the nearest header above it', () => {
        const text = 'model "m.onnx"\nhypothesis one {\n  output\n}\n\nhypothesis two extends one {\n}\n';
        expect(hypothesisNames(text)).toEqual(['one', 'two']);
        expect(hypothesisAt(text, 0)).toBeUndefined();
        expect(hypothesisAt(text, 2)).toBe('one');
        expect(hypothesisAt(text, 6)).toBe('two');
    });
});
