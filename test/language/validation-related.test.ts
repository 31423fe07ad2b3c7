import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCodes } from '../../language/validation/issue-codes.js';
import { HypWorkspaceData } from '../../language/workspace/hyp-workspace-data.js';
import { readDataFile } from '../../language/workspace/read-data-file.js';
import { TOY_DIR, TOY_HEADER, validateMarked } from './helpers.js';

describe('related information and background loading', () => {
    it('an I-edge that skips hook points points at each of them in the graph block', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node d -> D = z[0] > 3 <- input.z1
    output <- d
}`);
        const d = m.result.diagnostics.find(x => x.code === IssueCodes.EdgeNotInGraph)!;
        const text = m.result.document.textDocument;
        expect(d.relatedInformation?.map(r => [text.getText(r.location.range), r.message])).toEqual([
            ['A', 'A lies between input.z1 and D'], ['B', 'B lies between input.z1 and D'], ['C', 'C lies between input.z1 and D'],
        ]);
        expect(d.relatedInformation![0].location.uri).toBe(m.result.document.uri.toString());
    });

    it('an injectivity error points at the other I node', async () => {
        const m = await validateMarked(`${TOY_HEADER}
hypothesis h {
    node a -> A = z[0] > 3 <- input.z1
    node a2 -> A = z[0] <- input.z1
    output
}`);
        const [first] = m.result.diagnostics.filter(x => x.code === IssueCodes.CorrespondenceNotInjective);
        const text = m.result.document.textDocument;
        expect(first.relatedInformation?.map(r => [text.positionAt(text.offsetAt(r.location.range.start)).line, r.message])).toEqual([[16, 'a2 also corresponds to A']]);
    });

    it('with a background reader a model is pending, then loaded, and onDidLoad names it', async () => {
        const data = new HypWorkspaceData();
        data.useBackgroundReader(async (kind, path) => readDataFile(kind, path), 0);
        const path = resolve(TOY_DIR, 'toy_or.onnx');
        const loaded = new Promise<string>(r => data.onDidLoad(r));
        const first = data.model(path);
        expect(first).toMatchObject({ ok: false, pending: true });
        expect(data.model(path)).toBe(first); // the same pending value while the read runs, so analyses stay cached
        expect(await loaded).toBe(path);
        const second = data.model(path);
        expect(second.ok && [...second.value.tensors.keys()]).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']));
    });
});
