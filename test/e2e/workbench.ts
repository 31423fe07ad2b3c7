// Playwright helpers for the VS Code workbench that code-server serves: open a file, go to a
// position, find a hypothesis's code lenses, read the Problems view, take numbered screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';

export class Workbench {
    private shots = 0;

    constructor(readonly page: Page, private readonly shotDir: string) {
        mkdirSync(shotDir, { recursive: true });
    }

    /** Saves `NN-name.png` under the screenshot folder; returns its path. */
    async shot(name: string): Promise<string> {
        const path = join(this.shotDir, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
        await this.page.screenshot({ path });
        return path;
    }

    async waitReady(): Promise<void> {
        await this.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
        await this.page.locator('.statusbar').waitFor({ timeout: 120_000 });
    }

    /** Quick Open (Ctrl+P) on a file name. */
    async openFile(name: string): Promise<void> {
        await this.page.locator('.monaco-workbench').click({ position: { x: 5, y: 300 } }).catch(() => undefined);
        await this.page.keyboard.press('Control+P');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(name);
        await this.page.locator('.quick-input-list .monaco-list-row').first().waitFor();
        await this.page.keyboard.press('Enter');
        await this.page.locator(`.tab[aria-label^="${name}"]`).first().waitFor();
        await this.page.locator('.monaco-editor .view-lines').first().waitFor();
    }

    /** Runs a command from the palette (F1) by its title. */
    async command(title: string): Promise<void> {
        await this.page.keyboard.press('F1');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(`>${title}`);
        await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
        await this.page.keyboard.press('Enter');
    }

    /**
     * Puts the cursor at 1-based line and column (Ctrl+G), which also scrolls it into view. Tried
     * three times: on a loaded machine the widget can open before the editor has the focus, and
     * then it answers for another control; the error says what the widget said each time.
     */
    async goTo(line: number, column: number): Promise<void> {
        const input = this.page.locator('.quick-input-widget input');
        const answer = this.page.locator('.quick-input-widget', { hasText: `go to line ${line} at column ${column}` }).first();
        const seen: string[] = [];
        for (let attempt = 1; attempt <= 3; attempt++) {
            await this.focusEditor();
            await this.page.keyboard.press('Control+G');
            try {
                await input.waitFor({ timeout: 10_000 });
                await input.fill(`:${line}:${column}`);
                // Enter before the widget has read the text does nothing: wait for its answer, then for it to close.
                await answer.waitFor({ timeout: 10_000 });
                await this.page.keyboard.press('Enter');
                await input.waitFor({ state: 'hidden' });
                return;
            } catch {
                seen.push(`attempt ${attempt}: "${((await this.page.locator('.quick-input-widget').first().textContent().catch(() => '')) ?? '').slice(0, 200)}"`);
                await this.shot(`goto-${line}-${column}-attempt-${attempt}`);
                await this.page.keyboard.press('Escape');
                await this.page.waitForTimeout(500);
            }
        }
        throw new Error(`Go to line ${line}:${column} never answered; the widget said: ${seen.join('; ')}`);
    }

    /** The text of the editor's lines in view (Monaco renders only those), polled until it contains `what`. */
    async visibleText(what: string, timeoutMs = 120_000): Promise<string> {
        const end = Date.now() + timeoutMs;
        let text = '';
        while (Date.now() < end) {
            // Monaco writes spaces as non-breaking ones.
            text = ((await this.page.locator('.monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
            if (text.includes(what)) return text;
            await this.page.waitForTimeout(250);
        }
        throw new Error(`"${what}" never showed in the editor; it shows: ${text.slice(0, 300)}`);
    }

    /**
     * Focuses the first editor by a click on its line numbers, in view. Not a locator click on its
     * text: `.view-lines` is as wide as its longest line, and Playwright scrolls the middle of the
     * element into view first, which scrolls Monaco's clipped container sideways behind its back
     * (the editor then shows its lines shifted and cut: half-rendered). A click on the line
     * numbers selects that line only, and runs no code lens.
     */
    async focusEditor(): Promise<void> {
        // In the editor area only: an output or terminal panel holds Monaco editors too.
        const editor = await this.page.locator('.part.editor .monaco-editor').first().boundingBox();
        const numbers = await this.page.locator('.part.editor .monaco-editor .margin').first().boundingBox();
        if (!editor || !numbers) throw new Error('no editor in view');
        await this.page.mouse.click(numbers.x + numbers.width / 2, editor.y + editor.height / 2);
    }

    /**
     * Before a screenshot: any sideways DOM scroll of the editor's clipped containers undone (see
     * focusEditor), and a few frames for Monaco to render.
     */
    async settle(): Promise<void> {
        // A string: this file is compiled without the DOM's types.
        await this.page.evaluate(`for (const e of document.querySelectorAll('.monaco-editor, .monaco-editor *')) if (e.scrollLeft !== 0) e.scrollLeft = 0;`);
        await this.page.waitForTimeout(600);
    }

    /** The code lens links of the hypothesis declared on the line that contains `header`. */
    async lenses(header: string): Promise<Locator> {
        const line = this.page.locator('.monaco-editor .view-line', { hasText: header }).first();
        await line.waitFor();
        const lineBox = (await line.boundingBox())!;
        const decorations = this.page.locator('.monaco-editor .codelens-decoration');
        let best: { index: number; y: number } | undefined;
        for (let i = 0; i < await decorations.count(); i++) {
            const box = await decorations.nth(i).boundingBox();
            if (box && box.y < lineBox.y && box.y > lineBox.y - 3 * lineBox.height && (!best || box.y > best.y)) best = { index: i, y: box.y };
        }
        if (!best) throw new Error(`no code lens above "${header}"`);
        return decorations.nth(best.index).locator('a');
    }

    /** Waits until the hypothesis's first code lens matches `text`; returns its text. */
    async waitForLens(header: string, text: RegExp, timeoutMs = 120_000): Promise<string> {
        const end = Date.now() + timeoutMs;
        let last = '';
        for (;;) {
            try {
                last = (await (await this.lenses(header)).first().textContent({ timeout: 1000 })) ?? '';
                if (text.test(last)) return last;
            } catch {
                // Lenses are re-rendered while they refresh: look again.
            }
            if (Date.now() > end) throw new Error(`the code lens of "${header}" never matched ${text}; last: "${last}"`);
            await this.page.waitForTimeout(200);
        }
    }

    /**
     * The hypothesis's code lens link whose text matches `text`, polled: VS Code re-renders the
     * lenses whenever the provider refreshes them (after an edit, an undo, a closed hover), and a
     * single look can land between two renders and see the old or no links.
     */
    async lensLink(header: string, text: RegExp, timeoutMs = 30_000): Promise<Locator> {
        const end = Date.now() + timeoutMs;
        let seen: string[] = [];
        for (;;) {
            try {
                const links = await this.lenses(header);
                seen = [];
                for (let i = 0; i < await links.count(); i++) {
                    const linkText = (await links.nth(i).textContent({ timeout: 1000 })) ?? '';
                    seen.push(linkText);
                    if (text.test(linkText)) return links.nth(i);
                }
            } catch {
                // Mid re-render: look again.
            }
            if (Date.now() > end) throw new Error(`no code lens matching ${text} above "${header}"; last seen: ${JSON.stringify(seen)}`);
            await this.page.waitForTimeout(200);
        }
    }

    /** Clicks the hypothesis's code lens whose text matches `text`. */
    async clickLens(header: string, text: RegExp): Promise<void> {
        await (await this.lensLink(header, text)).click();
    }

    /** The text of the first frame (a webview's content) that contains `marker`, polled until one does. */
    async frameText(marker: string, timeoutMs = 30_000): Promise<string> {
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
            // Webviews only: the workbench's own page may quote the text too (an editor title, a list row).
            for (const frame of this.page.frames().filter(f => f !== this.page.mainFrame())) {
                const text = await frame.locator('body').textContent({ timeout: 500 }).catch(() => null);
                if (text?.includes(marker)) return text;
            }
            await this.page.waitForTimeout(250);
        }
        throw new Error(`no webview shows "${marker}"`);
    }

    /** The first webview frame holding `selector`, polled until one does. */
    async frameWith(selector: string, timeoutMs = 30_000): Promise<Frame> {
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
            for (const frame of this.page.frames().filter(f => f !== this.page.mainFrame())) {
                if (await frame.locator(selector).count().catch(() => 0) > 0) return frame;
            }
            await this.page.waitForTimeout(250);
        }
        throw new Error(`no webview holds ${selector}`);
    }

    /** The editor's cursor position as the status bar shows it (`Ln 31, Col 5`). */
    async cursor(): Promise<string> {
        return (await this.page.locator('#status\\.editor\\.selection').textContent()) ?? '';
    }

    /** Opens the Problems view (if closed) and returns its text. */
    async problems(): Promise<string> {
        const panel = this.page.locator('.markers-panel');
        if (!(await panel.isVisible())) {
            await this.page.keyboard.press('Control+Shift+M');
            await panel.waitFor();
        }
        return (await panel.textContent()) ?? '';
    }

    /** Polls the Problems view until its text matches. */
    async waitForProblems(matches: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
        const end = Date.now() + timeoutMs;
        let text = '';
        while (Date.now() < end) {
            text = await this.problems();
            if (matches(text)) return text;
            await this.page.waitForTimeout(250);
        }
        throw new Error(`the Problems view never matched; it shows: ${text}`);
    }
}
