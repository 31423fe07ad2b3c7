// A probe process that dies (a native crash in onnxruntime, killed for memory) while it runs the
// numeric pass over part-level edges: the pass's claims are then untested, and the editor says so
// on the model line (numeric-pass-failed, information) instead of showing no warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { validationHelper } from 'langium/test';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypFile } from '../../language/generated/ast.js';
import { createHypServices } from '../../language/hyp-module.js';
import { probeModelFile } from '../../engine/runtime/probe-model.js';
import { createProcessPerturber } from '../../server/probe-process.js';
import { CUMSUM_HYP, removeInertCases, writeCumsumCase } from '../fixtures/inert-models.js';

const scratch = mkdtempSync(join(tmpdir(), 'hyp-crash-'));
afterAll(() => {
    removeInertCases();
    rmSync(scratch, { recursive: true, force: true });
});

describe('a probe process that crashes during the numeric pass', () => {
    it('is numeric-pass-failed on the model line, with the exit code and its last stderr line', async () => {
        // A worker that dies as a native crash would: no answer, a message on stderr, a non-zero exit.
        const worker = join(scratch, 'crashing-worker.mjs');
        writeFileSync(worker, "process.once('message', () => { process.stderr.write('Segmentation fault in onnxruntime\\n'); process.exit(139); });\n");
        const perturber = createProcessPerturber(worker)!;
        const dir = writeCumsumCase();
        const services = createHypServices(EmptyFileSystem).Hyp;
        services.workspace.HypWorkspaceData.useProber(probeModelFile, perturber);
        const text = CUMSUM_HYP;
        const validate = validationHelper<HypFile>(services);
        let diagnostics: Awaited<ReturnType<typeof validate>>['diagnostics'] = [];
        // The probe (in-process here), then the numeric pass in the crashing process, each seen pending once.
        for (let round = 0; round < 3; round++) {
            diagnostics = (await validate(text, { documentUri: URI.file(join(dir, `doc-${round}.hyp`)).toString() })).diagnostics;
            await services.workspace.HypWorkspaceData.settled();
        }
        expect(diagnostics.filter(d => d.code === 'edge-numerically-inert')).toEqual([]);
        const failed = diagnostics.filter(d => d.code === 'numeric-pass-failed');
        expect(failed.map(d => [d.severity, d.range.start])).toEqual([[3, { line: 0, character: 6 }]]);
        expect(failed[0].message).toMatch(/failed, so 2 claimed edges \(input\.z0 -> A\.a0, input\.z2 -> A\.a0\) were not tested: the probe process exited with code 139: Segmentation fault in onnxruntime\./);
    });
});
