// The editor's views of a hypothesis once the numeric pass (run for the edge checks) has found a
// claimed edge inert: the ◇ Graph drawing draws it dotted with its trials, "Show model graph"
// lists the I-parent as numerically inert. Neither view starts a pass of its own.
import { join } from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { validationHelper } from 'langium/test';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypFile } from '../../language/generated/ast.js';
import { createHypServices } from '../../language/hyp-module.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { perturbPartsFile } from '../../engine/runtime/perturb-parts.js';
import { drawingView } from '../../server/drawing-view.js';
import { graphView } from '../../server/scrub/graph-view.js';
import { CUMSUM_HYP, removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

afterAll(removeInertCases);

const TEXT = CUMSUM_HYP;

describe('the editor views of a claimed edge the numeric pass found inert', () => {
    it('the drawing dots it and gives its trials; the model graph page marks the I-parent', async () => {
        const dir = writeCumsumCase();
        const services = createHypServices(EmptyFileSystem).Hyp;
        services.workspace.HypWorkspaceData.useProber(probeModelFile, perturbPartsFile);
        const validate = validationHelper<HypFile>(services);
        const uri = (k: number) => URI.file(join(dir, `doc-${k}.hyp`)).toString();
        // The probe, then the pass the edge checks start: each seen pending by one validation.
        for (let k = 0; k < 2; k++) {
            await validate(TEXT, { documentUri: uri(k) });
            await services.workspace.HypWorkspaceData.settled();
        }
        const { document, diagnostics } = await validate(TEXT, { documentUri: uri(2) });
        expect(diagnostics.filter(d => d.code === 'edge-numerically-inert')).toHaveLength(1);
        const drawing = await drawingView(services, document, 'h');
        expect(drawing.svg).toMatch(/<path class="edge inert"[^>]*><title>input\.z2 → A\.a0: numerically inert, moved A\.a0 in 0 of 32 trials/);
        expect(drawing.svg).toContain('>claimed, numerically inert</text>');
        expect(graphView(services, document, 'h').hypothesis?.mapping.find(m => m.interpNode === 'a')?.inert).toEqual({ 'input.z2': 32 });
    });
});
