// End-to-end tests in a real VS Code: code-server with the packaged .vsix installed, driven by
// playwright-core and Debian's chromium, headless. Each step leaves a screenshot under
// test-results/e2e/. Run by run-e2e.sh (`npm run test:e2e`), which installs what this needs;
// `HYP_E2E_ONLY=<regex> npm run test:e2e` runs only the steps whose name matches (after the first).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startCodeServer, type CodeServer } from './code-server.js';
import { until } from '../fixtures/polling.js';
import { alive, scrubWorkerPids } from './processes.js';
import { Workbench } from './workbench.js';

// run-e2e.sh runs the bundle from the repository root.
const ROOT = process.cwd();
const [codeServerBin, vsix] = process.argv.slice(2);
const SHOTS = join(ROOT, 'test-results', 'e2e');
/** Runs only the steps whose name matches (and the first, which opens the file): for iterating on one step. */
const only = process.env.HYP_E2E_ONLY ? new RegExp(process.env.HYP_E2E_ONLY) : undefined;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];

function check(condition: unknown, message: string): asserts condition {
    if (!condition) throw new Error(message);
}

async function main(): Promise<number> {
    rmSync(SHOTS, { recursive: true, force: true });
    const home = mkdtempSync(join(tmpdir(), 'hyp-e2e-'));
    const workspace = join(home, 'workspace');
    mkdirSync(workspace);
    for (const f of ['toy.hyp', 'toy_or.onnx', 'toy_or.jsonl']) cpSync(join(ROOT, 'examples/toy', f), join(workspace, f));
    const text = readFileSync(join(workspace, 'toy.hyp'), 'utf8').split('\n');
    const lineOf = (s: string) => text.findIndex(l => l.includes(s)) + 1;
    const setSamples = (samples: number | null) => {
        mkdirSync(join(workspace, '.vscode'), { recursive: true });
        writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(samples === null ? {} : { 'hyp.samples': samples }));
    };
    setSamples(null);

    let server: CodeServer | undefined;
    let context: BrowserContext | undefined;
    const results: { name: string; ok: boolean; error?: string }[] = [];
    try {
        server = await startCodeServer(codeServerBin, vsix, home);
        context = await chromium.launchPersistentContext(join(home, 'chromium'), {
            executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1500, height: 950 },
        });
        const page = context.pages()[0] ?? await context.newPage();
        const wb = new Workbench(page, SHOTS);
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
        await wb.waitReady();

        const step = async (name: string, shot: string, body: () => Promise<void>) => {
            if (only && !only.test(name) && shot !== 'open-no-problems') {
                console.log(`- ${name} (skipped: HYP_E2E_ONLY)`);
                return;
            }
            const started = Date.now();
            try {
                await body();
                await wb.shot(shot);
                results.push({ name, ok: true });
                console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
            } catch (e) {
                await wb.shot(`${shot}-FAILED`).catch(() => undefined);
                results.push({ name, ok: false, error: (e as Error).message });
                console.log(`✗ ${name}: ${(e as Error).message}`);
            }
        };

        await step('toy.hyp opens with ▶ Scrub lenses and an empty Problems view', 'open-no-problems', async () => {
            await wb.openFile('toy.hyp');
            await wb.waitForLens('hypothesis correct {', /▶ Scrub/);
            await wb.waitForProblems(t => t.includes('No problems have been detected in the workspace'));
        });

        await step('a misspelled tensor name is an error with the suggestion', 'misspelled-tensor', async () => {
            const line = lineOf('node D = "D"');
            await wb.goTo(line, text[line - 1].indexOf('"D"') + 3);
            await page.keyboard.type('x');
            await wb.waitForProblems(t => t.includes('no tensor "Dx" in the model; did you mean "D"?'));
        });

        await step('undoing the typo clears the error', 'typo-undone', async () => {
            await page.keyboard.press('Control+Z');
            await wb.waitForProblems(t => t.includes('No problems have been detected in the workspace'));
        });

        await step('hovering an I node shows its feature agreement counts', 'hover-counts', async () => {
            const line = lineOf('node a -> A = z[0] > 3');
            await wb.goTo(line, text[line - 1].indexOf('a ->') + 1);
            await page.keyboard.press('Control+K');
            await page.keyboard.press('Control+I');
            const hover = page.locator('.monaco-hover').filter({ hasText: 'Feature agreement over' }).first();
            await hover.waitFor({ timeout: 30_000 });
            const content = (await hover.textContent()) ?? '';
            check(/Feature agreement over \d+ examples: 2 classes/.test(content), `hover text: ${content}`);
            check(content.includes('claimed: input.z1; resampled as unimportant: none'), `hover text: ${content}`);
        });

        await step('▶ Scrub shows the loss recovered in the code lens', 'scrub-loss-recovered', async () => {
            await page.keyboard.press('Escape');
            await wb.goTo(lineOf('hypothesis correct {'), 1);
            await wb.clickLens('hypothesis correct {', /▶ Scrub/);
            const lens = await wb.waitForLens('hypothesis correct {', /^loss recovered/);
            check(/^loss recovered 100\.0% \(95% CI 100\.0–100\.0\) · 2,000 samples · \d+\.\d s · cpu$/.test(lens), `lens: ${lens}`);
        });

        await step('the loss-recovered lens opens the result view with the histogram', 'result-view', async () => {
            await wb.clickLens('hypothesis correct {', /^loss recovered/);
            const body = await wb.frameText('Per-example change');
            check(body.includes('100.0% (95% CI 100.0%–100.0%)'), `result view: ${body.slice(0, 300)}`);
            check(body.includes('change in cross_entropy (scrubbed − clean)'), 'no histogram in the result view');
        });

        let cancelledPid = 0;
        await step('■ Cancel on a long run kills the worker process', 'cancelled', async () => {
            setSamples(200_000);
            await page.waitForTimeout(1500);
            // Back to the editor (the result view took the focus).
            await page.keyboard.press('Control+1');
            await wb.goTo(lineOf('hypothesis only_a {'), 1);
            await wb.clickLens('hypothesis only_a {', /▶ Scrub/);
            await wb.waitForLens('hypothesis only_a {', /Scrubbing…/);
            cancelledPid = await until(() => scrubWorkerPids()[0], 'the scrub worker', 60_000);
            await wb.shot('running');
            const cancel = await wb.lensLink('hypothesis only_a {', /Cancel/);
            const clicked = Date.now();
            await cancel.click();
            await until(() => (alive(cancelledPid) ? undefined : true), 'the worker to exit', 5000);
            console.log(`  worker ${cancelledPid} gone ${Date.now() - clicked} ms after the click`);
            check(Date.now() - clicked < 1500, 'the worker outlived the click on ■ Cancel by more than a second and a half');
            await wb.waitForLens('hypothesis only_a {', /▶ Scrub/);
            check(scrubWorkerPids().length === 0, `worker processes left: ${scrubWorkerPids().join(', ')}`);
        });

        await step('killing the worker from outside shows an error, and ▶ Scrub works afterwards', 'killed-worker-error', async () => {
            await wb.clickLens('hypothesis only_a {', /▶ Scrub/);
            await wb.waitForLens('hypothesis only_a {', /Scrubbing…/);
            const pid = await until(() => scrubWorkerPids()[0], 'the scrub worker', 60_000);
            check(pid !== cancelledPid, 'the cancelled worker was reused');
            process.kill(pid, 'SIGKILL');
            await page.locator('.notifications-toasts').filter({ hasText: 'Scrubbing "only_a" failed' }).first().waitFor({ timeout: 30_000 });
            const lens = await wb.waitForLens('hypothesis only_a {', /scrub failed/);
            check(lens.includes(`the scrub worker (pid ${pid}) was killed by SIGKILL`), `lens: ${lens}`);
        });

        await step('after the crash, ↻ Retry runs on a fresh worker and shows the result', 'after-crash-result', async () => {
            setSamples(null);
            await page.waitForTimeout(1500);
            await wb.clickLens('hypothesis only_a {', /Retry|▶ Scrub/);
            const lens = await wb.waitForLens('hypothesis only_a {', /^loss recovered/);
            check(/^loss recovered \d+\.\d% \(95% CI/.test(lens), `lens: ${lens}`);
        });

        await step('Hyp: Scrub all in file scrubs every hypothesis', 'scrub-all', async () => {
            await page.keyboard.press('Control+1');
            await wb.goTo(lineOf('hypothesis identity {'), 1);
            await wb.command('Hyp: Scrub all in file');
            const identity = await wb.waitForLens('hypothesis identity {', /^loss recovered/);
            check(identity.startsWith('loss recovered 100.0% (95% CI 100.0–100.0)'), `identity: ${identity}`);
            // Its lens sits above its line: bring it into view (the editor renders what is visible).
            await wb.goTo(lineOf('hypothesis nothing {'), 1);
            const nothing = await wb.waitForLens('hypothesis nothing {', /^loss recovered/);
            check(nothing.startsWith('loss recovered 0.0% (95% CI 0.0–0.0)'), `nothing: ${nothing}`);
        });

        await step('Hyp: Show model graph lists the hook points and the correspondence', 'model-graph', async () => {
            await wb.goTo(lineOf('node a -> A = z[0] > 3'), 5);
            await wb.command('Hyp: Show model graph');
            const body = await wb.frameText('Model graph:');
            check(body.includes('Hypothesis correct') && body.includes('input.z1'), `preview: ${body.slice(0, 300)}`);
        });

        await step('◇ Graph draws the hypothesis beside the editor and redraws it as the hypothesis is edited', 'hypothesis-graph', async () => {
            await page.keyboard.press('Control+1');
            await wb.goTo(lineOf('hypothesis correct {'), 1);
            await wb.clickLens('hypothesis correct {', /Graph/);
            const drawn = async (text: string) => until(async () => {
                const frame = await wb.frameWith('svg.hyp-drawing');
                const body = (await frame.locator('body').textContent()) ?? '';
                return body.includes(text) ? { frame, body } : undefined;
            }, `the drawing showing "${text}"`, 30_000);
            const first = await drawn('d = a or b');
            check(first.body.includes('a = z[0] > 3') && first.body.includes('hypothesis correct'), `drawing: ${first.body.slice(0, 300)}`);
            check(await first.frame.locator('path.edge.claimed').count() >= 4, 'fewer than 4 claimed edges drawn');
            await wb.shot('hypothesis-graph-first');
            // Edit d's feature in the editor: the picture follows.
            const line = text[lineOf('node d -> D = a or b') - 1];
            await page.keyboard.press('Control+1');
            await wb.goTo(lineOf('node d -> D = a or b'), line.indexOf('or b') + 1);
            await page.keyboard.press('Delete');
            await page.keyboard.press('Delete');
            await page.keyboard.type('and');
            const edited = await drawn('d = a and b');
            await wb.shot('hypothesis-graph-edited');
            // An error keeps the last good picture and says so.
            await page.keyboard.press('End');
            await page.keyboard.type('x');
            await until(async () => ((await edited.frame.locator('#problem').textContent()) ?? '').startsWith('Showing the last good picture: the file has') ? true : undefined,
                'the bar saying the picture is the last good one', 30_000);
            check(((await edited.frame.locator('body').textContent()) ?? '').includes('d = a and b'), 'the last good picture is gone');
            await wb.shot('hypothesis-graph-error');
            await page.keyboard.press('Backspace');
            await until(async () => ((await edited.frame.locator('#problem').textContent()) ?? '') === '' ? true : undefined, 'the bar cleared', 30_000);
            // A click on a box reveals its declaration.
            const frame = (await drawn('d = a and b')).frame;
            await frame.locator('[data-id="n:C"] rect.frame').click();
            const at = `Ln ${lineOf('node C = "C"')},`;
            await until(async () => ((await wb.cursor()).startsWith(at) ? true : undefined), `the cursor at ${at}`, 15_000);
        });

        await step('Find a smaller circuit from here inserts what hyp discover found below the hypothesis', 'discover', async () => {
            await page.keyboard.press('Control+1');
            await wb.command('Notifications: Clear All Notifications');
            await wb.goTo(lineOf('hypothesis identity {'), 1);
            await wb.command('Hyp: Find a smaller circuit from here');
            await wb.visibleText('// Found by hyp discover from identity');
            // The block itself is below its comment header: bring it into view.
            await wb.goTo(lineOf('hypothesis identity {') + 24, 1);
            const block = await wb.visibleText('hypothesis identity_smaller {');
            // For the screenshot: the inserted header and block from their first column.
            await wb.goTo(lineOf('hypothesis identity {') + 7, 1);
            await wb.settle();
            check(/identity_smaller \{\s*node a -> A = z <- input\.z1/.test(block), `inserted: ${block.slice(block.indexOf('identity_smaller') - 10, block.indexOf('identity_smaller') + 200)}`);
        });

        await step('Challenge this hypothesis, chosen from the Source Action menu, opens the challenge view, whose Insert button inserts a refinement', 'challenge', async () => {
            await page.keyboard.press('Control+1');
            await wb.command('Notifications: Clear All Notifications');
            const inside = lineOf('hypothesis only_a {') + 1;
            await wb.goTo(inside, 5);
            // The palette's "Source Action..." opens the menu of the source actions at the cursor.
            await wb.command('Source Action...');
            const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Challenge this hypothesis' }).first();
            await item.waitFor({ timeout: 30_000 });
            const menu = (await page.locator('.action-widget').first().textContent()) ?? '';
            check(menu.includes('Find a smaller circuit from here'), `menu: ${menu}`);
            await wb.shot('challenge-source-action-menu');
            await item.click();
            const frame = await wb.frameWith('button.insert', 120_000);
            const body = (await frame.locator('body').textContent()) ?? '';
            check(/Challenge: only_a/.test(body) && /(Not flagged|Flagged): /.test(body), `challenge view: ${body.slice(0, 300)}`);
            check(body.includes('Rule: flagged when an implied refinement lowers loss recovered by more than the half-width'), `no rule in: ${body.slice(0, 500)}`);
            check(/loss recovered\s*\d+\.\d% \(95% CI -?\d+\.\d–\d+\.\d%\)/.test(body), `no score in: ${body.slice(0, 500)}`);
            check(/drop\s*-?\d+\.\d points \(paired s\.e\. \d+\.\d\)/.test(body), `no drop in: ${body.slice(0, 800)}`);
            check(body.includes('hypothesis only_a_refined1 extends only_a {'), `no refinement block in: ${body.slice(0, 800)}`);
            const insert = frame.locator('button.insert').first();
            await insert.click();
            await until(async () => ((await insert.textContent()) ?? '').startsWith('Inserted as only_a_refined1') ? true : undefined, 'the Insert button to say it inserted', 30_000);
            // The block is below only_a's closing brace, after a blank line.
            await page.keyboard.press('Control+1');
            await wb.goTo(lineOf('hypothesis only_a {') + 12, 1);
            const editor = await wb.visibleText('hypothesis only_a_refined1 extends only_a {', 30_000);
            check(/only_a_refined1 extends only_a \{\s*node d -> D = /.test(editor), `editor: ${editor.slice(editor.indexOf('only_a_refined1') - 10, editor.indexOf('only_a_refined1') + 200)}`);
            await wb.goTo(inside, 1);
            await wb.settle();
        });
    } catch (e) {
        results.push({ name: 'setting up code-server and chromium', ok: false, error: (e as Error).stack });
        console.log(`✗ setup: ${(e as Error).stack}`);
        if (server) console.log(server.log.join('').slice(-3000));
    } finally {
        await context?.close().catch(() => undefined);
        await server?.stop();
    }
    const failed = results.filter(r => !r.ok).length;
    console.log(`\nscreenshots: ${SHOTS}`);
    console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
