// The hypothesis graph view's page: one script allowed by its nonce and nothing else, and theme
// colours for every class the drawing uses (so light and dark themes both reach every element).
import { describe, expect, it } from 'vitest';
import { graphPageHtml, THEME_CSS } from '../../client/graph-webview-html.js';
import { drawHypothesis } from '../../draw/draw-hypothesis.js';
import type { DrawnGraph } from '../../draw/scene.js';
import type { GNode } from '../../engine/graph/types.js';

describe('the hypothesis graph page', () => {
    it('runs only its own script (by nonce) and loads nothing from outside', () => {
        const html = graphPageHtml('Graph: <correct>', 'vscode-resource:', 'abc123');
        expect(html).toContain(`content="default-src 'none'; style-src vscode-resource: 'unsafe-inline'; script-src 'nonce-abc123';"`);
        expect(html.match(/<script/g)).toHaveLength(1);
        expect(html).toContain('<script nonce="abc123">');
        expect(html).toContain('<title>Graph: &#60;correct&#62;</title>');
        expect(html).not.toMatch(/https?:\/\//);
    });

    it('themes every class the drawing uses with the editor theme\'s variables', async () => {
        const nodes = new Map<string, GNode>([
            ['input', { name: 'input', kind: 'input', tensors: [{ tensor: 'x', coverage: { kind: 'all' } }] }],
            ['A.p', { name: 'A.p', kind: 'hook', tensors: [{ tensor: 'a', coverage: { kind: 'all' } }] }],
            ['A.rest', { name: 'A.rest', kind: 'hook', tensors: [{ tensor: 'a', coverage: { kind: 'all' } }] }],
            ['B', { name: 'B', kind: 'hook', tensors: [{ tensor: 'b', coverage: { kind: 'all' } }] }],
            ['output', { name: 'output', kind: 'output', tensors: [{ tensor: 'y', coverage: { kind: 'all' } }] }],
        ]);
        const parents: Record<string, string[]> = { 'A.p': ['input'], 'A.rest': ['input'], B: ['input'], output: ['A.p', 'A.rest', 'B'] };
        const g: DrawnGraph = { nodes, partParents: n => parents[n] ?? [] };
        const { svg } = await drawHypothesis(g, {
            name: 'h', options: { samples: 2, seed: 0, ablation: 'resample', unimportant: 'shared' },
            nodes: [{ name: 'a', graphNode: 'A.p', feature: { kind: 'ref', name: 'z' }, parents: ['input'] }, { name: 'output', graphNode: 'output', feature: null, parents: ['a'] }],
        }, { effects: { a: { lossRecovered: 0.5, ci95: [0.4, 0.6] } } });
        // A claimed edge the numeric pass found inert: B is claimed too, so that a solid claimed edge remains.
        const inert = (await drawHypothesis(g, {
            name: 'h', options: { samples: 2, seed: 0, ablation: 'resample', unimportant: 'shared' },
            nodes: [{ name: 'a', graphNode: 'A.p', feature: null, parents: ['input'] }, { name: 'b', graphNode: 'B', feature: null, parents: ['input'] },
                { name: 'output', graphNode: 'output', feature: null, parents: ['a', 'b'] }],
        }, { numeric: { rows: 8, perturbations: 4, edges: { 'input -> A.p': { moved: 0, trials: 32 } } } })).svg;
        expect(inert).toContain('class="edge inert"');
        const used = new Set([...(svg + inert).matchAll(/class="([^"]+)"/g)].flatMap(m => m[1].split(' ')));
        for (const cls of ['inert', 'box', 'frame', 'label', 'detail', 'claim', 'badge', 'with-effect', 'edge', 'lines', 'arrow', 'claimed', 'resampled', 'unclaimed', 'group', 'input', 'output', 'read', 'legend', 'hyp-title', 'hyp-subtitle']) {
            if (cls !== 'hyp-subtitle') expect(used, cls).toContain(cls);
            expect(THEME_CSS, cls).toMatch(new RegExp(`\\.${cls}\\b`));
        }
        for (const line of THEME_CSS.trim().split('\n')) expect(line, line).toMatch(/var\(--vscode-|#0b1f33|cursor/);
    });
});
