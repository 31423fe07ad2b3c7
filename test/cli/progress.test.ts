import { describe, expect, it } from 'vitest';
import { progressBar, PROGRESS_LINE_SECONDS } from '../../cli/progress.js';

/** A stream that is not a terminal, and a clock the test moves. */
function piped() {
    const written: string[] = [];
    let t = 0;
    return { stream: { isTTY: false, columns: undefined, write: (s: string) => (written.push(s), true) }, written, tick: (s: number) => { t += 1000 * s; }, now: () => t };
}

describe('progress on a stderr that is not a terminal', () => {
    it('prints a line when a hypothesis starts and then one every few seconds, never terminal control codes', () => {
        const { stream, written, tick, now } = piped();
        const bar = progressBar(stream as never, now);
        bar.update(0, 'claim1 (1/2)');
        tick(1);
        bar.update(0.2, 'claim1 (1/2)');
        tick(PROGRESS_LINE_SECONDS);
        bar.update(0.5, 'claim1 (1/2)');
        tick(0.5);
        bar.update(0, 'claim2 (2/2)');
        bar.update(0.1, 'claim2 (2/2)');
        bar.done();
        expect(written).toEqual([
            'hyp: claim1 (1/2) 0% after 0.0 s\n',
            'hyp: claim1 (1/2) 50% after 6.0 s\n',
            'hyp: claim2 (2/2) 0% after 0.0 s\n',
        ]);
    });

    it('draws a bar in place on a terminal', () => {
        const written: string[] = [];
        const bar = progressBar({ isTTY: true, columns: 80, write: (s: string) => (written.push(s), true) } as never);
        bar.update(0.5, 'claim1');
        bar.done();
        expect(written[0]).toBe(`\r[${'#'.repeat(15)}${'-'.repeat(15)}]  50% claim1\x1b[K`);
        expect(written[1]).toBe('\r\x1b[K');
    });

    it('writes a note on a line of its own: over the bar on a terminal, which the next update redraws', () => {
        const written: string[] = [];
        const bar = progressBar({ isTTY: true, columns: 80, write: (s: string) => (written.push(s), true) } as never);
        bar.note('hyp: before the bar');
        bar.update(0.5, 'claim1');
        bar.note('hyp: over the bar');
        bar.update(0.5, 'claim1');
        expect(written).toEqual(['hyp: before the bar\n', `\r[${'#'.repeat(15)}${'-'.repeat(15)}]  50% claim1\x1b[K`,
            '\r\x1b[Khyp: over the bar\n', `\r[${'#'.repeat(15)}${'-'.repeat(15)}]  50% claim1\x1b[K`]);
        const lines: string[] = [];
        const piped = progressBar({ isTTY: false, write: (s: string) => (lines.push(s), true) } as never, () => 0);
        piped.note('hyp: a note');
        expect(lines).toEqual(['hyp: a note\n']);
    });
});
