// Shared by the language tests: services over an in-memory workspace whose documents live (by URI)
// next to the toy model, so `model "toy_or.onnx"` loads the real file.
import { resolve } from 'node:path';
import { EmptyFileSystem, URI } from 'langium';
import { expectError, expectWarning, parseHelper, replaceIndices, validationHelper, type ValidationResult } from 'langium/test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createHypServices } from '../../language/hyp-module.js';
import type { HypFile } from '../../language/generated/ast.js';
import { toyHeader } from '../fixtures/toy-hyp.js';

export const TOY_DIR = resolve(import.meta.dirname, '../../examples/toy');
export const services = createHypServices(EmptyFileSystem).Hyp;

let counter = 0;
/** A fresh URI in the toy folder (documents must not share one). */
export function toyUri(dir = TOY_DIR): string {
    return URI.file(resolve(dir, `test-${process.pid}-${counter++}.hyp`)).toString();
}

const validate = validationHelper<HypFile>(services);
export const parse = parseHelper<HypFile>(services);

/** The toy's declarations: model, dataset, graph (input split into z1..z3, hooks A–D), metric. */
export const TOY_HEADER = toyHeader();

export interface Marked {
    result: ValidationResult<HypFile>;
    /** The `<|…|>` ranges of the input, as offsets into the text without markers. */
    ranges: Array<[number, number]>;
}

/** Validates text with `<|…|>` markers (all categories, slow included), with the document in `dir`. */
export async function validateMarked(text: string, dir = TOY_DIR): Promise<Marked> {
    const { output, ranges } = replaceIndices({ text });
    const result = await validate(output, { documentUri: toyUri(dir) });
    return { result, ranges };
}

/** Asserts an error with this code and message at marked range `i`. */
export function expectErrorAt(m: Marked, i: number, code: string, message: string | RegExp): void {
    const [start, end] = m.ranges[i];
    // Langium's own diagnostics (linking, parsing) carry their code in `data`, ours in `code`.
    const filter = code === 'linking-error' ? { data: { code } } : { code };
    expectError(m.result, message, { offset: start, length: end - start, ...filter });
}

export function expectWarningAt(m: Marked, i: number, code: string, message: string | RegExp): void {
    const [start, end] = m.ranges[i];
    expectWarning(m.result, message, { offset: start, length: end - start, code });
}

export function errors(m: Marked | ValidationResult<HypFile>): Diagnostic[] {
    const r = 'result' in m ? m.result : m;
    return r.diagnostics.filter(d => d.severity === 1);
}

/** `code: message` of every diagnostic, for readable failures. */
export function summary(diagnostics: Diagnostic[]): string[] {
    return diagnostics.map(d => `${d.code}: ${d.message}`);
}
