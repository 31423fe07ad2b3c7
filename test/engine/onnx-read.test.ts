import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HypError } from '../../engine/errors.js';
import { readModelBytes, readModelFile, writeModel } from '../../engine/onnx/read.js';
import { TOY_MODEL } from './graph-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'hyp-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readError(path: string): HypError {
    try {
        readModelFile(path);
    } catch (e) {
        if (e instanceof HypError) return e;
        throw e;
    }
    throw new Error('expected a HypError');
}

describe('reading ONNX files', () => {
    it('reads the toy model: its graph, ir_version and opset', () => {
        const model = readModelFile(TOY_MODEL);
        expect(model.irVersion).toBe(10n);
        expect(model.opsetImport.map(o => [o.domain, o.version])).toEqual([['', 17n]]);
        expect(model.graph?.input.map(i => i.name)).toEqual(['x']);
        expect(model.graph?.output.map(o => o.name)).toEqual(['logits']);
    });

    it('a missing file is an error located at the path, with a hint', () => {
        const path = join(tmp, 'nope.onnx');
        const e = readError(path);
        expect(e.code).toBe('model-not-found');
        expect(e.location).toEqual({ file: path });
        expect(e.hint).toMatch(/model/);
        expect(e.format()).toContain(path);
    });

    it('a text file renamed .onnx is "not an ONNX model", located at the path', () => {
        const path = join(tmp, 'notes.onnx');
        writeFileSync(path, 'these are my notes about the model\nnot a protobuf\n');
        const e = readError(path);
        expect(e.code).toBe('model-not-onnx');
        expect(e.location?.file).toBe(path);
        expect(e.message).toMatch(/not an ONNX model/);
        expect(e.hint).toMatch(/re-export/);
    });

    it('a truncated model is "not an ONNX model"', () => {
        const bytes = readFileSync(TOY_MODEL);
        const path = join(tmp, 'truncated.onnx');
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
        expect(readError(path).code).toBe('model-not-onnx');
    });

    it('an empty file is "not an ONNX model" (protobuf alone would decode it as an empty message)', () => {
        expect(() => readModelBytes(new Uint8Array(0), 'empty.onnx')).toThrow(/no graph/);
    });
});

describe('writing ONNX files', () => {
    it('read then write gives the same bytes for a model this library wrote', () => {
        const bytes = readFileSync(TOY_MODEL);
        expect(Buffer.compare(Buffer.from(writeModel(readModelBytes(bytes, TOY_MODEL))), bytes)).toBe(0);
    });

    it('fields unknown to this library (a newer ONNX) survive a read-write round trip', () => {
        const bytes = readFileSync(TOY_MODEL);
        // Field 99 of ModelProto, wire type 0 (varint), value 42: tag (99 << 3) = 792 = 0x98 0x06.
        const unknown = Uint8Array.of(0x98, 0x06, 42);
        const extended = new Uint8Array([...bytes, ...unknown]);
        const model = readModelBytes(extended, 'newer.onnx');
        const written = writeModel(model);
        expect(written.length).toBe(extended.length);
        expect([...written.subarray(written.length - 3)]).toEqual([...unknown]);
        // And the model itself is intact.
        expect(readModelBytes(written, 'again.onnx').graph?.node.length).toBe(model.graph?.node.length);
    });
});
