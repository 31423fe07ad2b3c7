// The editor never throws while you type (1): validation of every prefix of every bundled .hyp
// file gives diagnostics, never an exception or Langium's "An error occurred during validation".
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
    bundledFiles, captureLoggedExceptions, crashes, diagnose, elementPrefixes, FAST, freshUri, parse, ROOT,
} from '../fixtures/typing-fuzz.js';
import { services } from './helpers.js';

const files = bundledFiles();

describe('validation never throws while typing: every prefix', () => {
    captureLoggedExceptions();

    it('finds the bundled files', () => {
        expect(files.map(f => f.slice(ROOT.length + 1))).toEqual(expect.arrayContaining([
            'examples/toy/toy.hyp', 'examples/paren/paren.hyp', 'examples/induction/induction.hyp',
        ]));
    });

    for (const path of files) {
        const name = path.slice(ROOT.length + 1);
        it(`every prefix of each element of ${name}`, async () => {
            const text = readFileSync(path, 'utf8');
            const full = await parse(text, { documentUri: freshUri(dirname(path), 'fuzz-full') });
            expect(full.parseResult.parserErrors).toEqual([]);
            const seen = new Set<string>();
            const failures: string[] = [];
            for (const prefix of elementPrefixes(text, full.parseResult.value)) {
                if (seen.has(prefix)) continue;
                seen.add(prefix);
                for (const c of crashes(await diagnose(prefix, dirname(path), FAST))) failures.push(`${c}\n  after: ${JSON.stringify(prefix.slice(-60))}`);
            }
            await services.shared.workspace.DocumentBuilder.update([], [full.uri]);
            expect(failures.slice(0, 5)).toEqual([]);
            expect(seen.size).toBeGreaterThan(10);
        }, 300_000);
    }

});
