// A string whose closing quote is missing is one error where the quote is missing; the rest of
// the file parses and checks as if the quote were there (it used to swallow the next lines and
// give dozens of diagnostics).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ast from '../../language/generated/ast.js';
import { isTerminatedString } from '../../language/parser/hyp-lexer.js';
import type { Diagnostic } from 'vscode-languageserver-types';
import { TOY_DIR, validateMarked } from './helpers.js';

const toy = readFileSync(join(TOY_DIR, 'toy.hyp'), 'utf8');
/** Langium's own diagnostics carry their code in `data`. */
const summary = (ds: Diagnostic[]) => ds.map(d => `${(d.data as { code?: string } | undefined)?.code}: ${d.message}`);
const UNCLOSED = 'this string is not closed: add the closing " (a string ends on its line)';

describe('a string without its closing quote', () => {
    it('on the model path: one error at the string, and the model still loads', async () => {
        const m = await validateMarked(toy.replace('model "toy_or.onnx"', 'model <|"toy_or.onnx|>'));
        expect(summary(m.result.diagnostics)).toEqual([`lexing-error: ${UNCLOSED}`]);
        const d = m.result.diagnostics[0];
        const [start, end] = m.ranges[0];
        expect([m.result.document.textDocument.offsetAt(d.range.start), m.result.document.textDocument.offsetAt(d.range.end)]).toEqual([start, end]);
        expect(m.result.document.parseResult.value.elements.find(ast.isModelDecl)?.path).toBe('toy_or.onnx');
    });

    it('before a comment: the string stops before the comment, and the tensor is found', async () => {
        const m = await validateMarked(toy.replace('node B = "B"', 'node B = <|"B|>'));
        expect(summary(m.result.diagnostics)).toEqual([`lexing-error: ${UNCLOSED}`]);
        const hook = m.result.document.parseResult.value.elements.filter(ast.isGraphDecl)[0].members.filter(ast.isHookPoint).find(h => h.name === 'B');
        expect(hook?.tensor).toBe('B');
    });

    it('an escaped quote does not close a string; an escaped backslash before the quote does', () => {
        expect(isTerminatedString('"a\\"')).toBe(false);
        expect(isTerminatedString('"a\\\\"')).toBe(true);
        expect(isTerminatedString('"')).toBe(false);
        expect(isTerminatedString("'a'")).toBe(true);
        expect(isTerminatedString('"a\'')).toBe(false);
    });
});
