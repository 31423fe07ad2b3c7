// "Hyp: Show hypothesis graph" and the ◇ Graph lens: a webview beside the editor with the
// server's drawing of one hypothesis (hyp/drawing), redrawn as the document changes (debounced)
// and when a scrub of it finishes (node effects); a click on a box reveals its declaration. The
// client only asks and shows: the drawing and the locations come from the language server.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { HypRpc, type DrawingView } from '../language/communication/rpc.js';
import { graphPageHtml, type FromGraphPage, type ToGraphPage } from './graph-webview-html.js';
import { sendRpcRequest } from './rpc-client.js';

/** Pause in typing before the drawing is asked for again. */
export const REDRAW_DEBOUNCE_MS = 400;

interface OpenGraph {
    panel: vscode.WebviewPanel;
    uri: string;
    hypothesis: string;
    locations: DrawingView['locations'];
    timer?: NodeJS.Timeout;
    /** Answers to older requests are dropped when a newer one was sent. */
    generation: number;
}

/** The open hypothesis graph views, one per (document, hypothesis). */
export class HypothesisGraphPanels implements vscode.Disposable {
    private readonly open = new Map<string, OpenGraph>();
    private readonly subscriptions: vscode.Disposable[];

    constructor(private readonly client: LanguageClient) {
        this.subscriptions = [
            vscode.workspace.onDidChangeTextDocument(e => {
                for (const g of this.open.values()) if (g.uri === e.document.uri.toString()) this.redrawSoon(g);
            }),
            // The server validates again when a background run ends (the probe's shapes, the numeric
            // pass's inert edges): the drawing may have changed with no edit.
            vscode.languages.onDidChangeDiagnostics(e => {
                const changed = new Set(e.uris.map(u => u.toString()));
                for (const g of this.open.values()) if (changed.has(g.uri)) this.redrawSoon(g);
            }),
        ];
    }

    /** Opens (or reveals) the view of `hypothesis` in the document `uri`. */
    show(uri: string, hypothesis: string): void {
        const key = `${uri}#${hypothesis}`;
        const existing = this.open.get(key);
        if (existing) {
            existing.panel.reveal(vscode.ViewColumn.Beside, true);
            return;
        }
        const panel = vscode.window.createWebviewPanel('hyp.hypothesisGraph', `Graph: ${hypothesis}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
            { enableScripts: true, localResourceRoots: [] });
        const g: OpenGraph = { panel, uri, hypothesis, locations: {}, generation: 0 };
        this.open.set(key, g);
        panel.webview.html = graphPageHtml(`Graph: ${hypothesis}`, panel.webview.cspSource, randomBytes(16).toString('base64'));
        panel.webview.onDidReceiveMessage((m: FromGraphPage) => {
            if (m.type === 'ready') void this.redraw(g);
            else if (m.type === 'reveal') void this.reveal(g, m.id);
        });
        panel.onDidDispose(() => {
            clearTimeout(g.timer);
            this.open.delete(key);
        });
    }

    /** Draws again now (a scrub of it finished: node effects may have come with it). */
    refresh(uri: string, hypothesis: string): void {
        const g = this.open.get(`${uri}#${hypothesis}`);
        if (g) void this.redraw(g);
    }

    dispose(): void {
        for (const g of this.open.values()) g.panel.dispose();
        for (const s of this.subscriptions) s.dispose();
    }

    private redrawSoon(g: OpenGraph): void {
        clearTimeout(g.timer);
        g.timer = setTimeout(() => void this.redraw(g), REDRAW_DEBOUNCE_MS);
    }

    private async redraw(g: OpenGraph): Promise<void> {
        const generation = ++g.generation;
        let view: DrawingView;
        try {
            view = await sendRpcRequest(this.client, HypRpc.drawing, { uri: g.uri, hypothesis: g.hypothesis });
        } catch (e) {
            view = { hypothesis: g.hypothesis, problem: `the language server did not draw it: ${(e as Error).message}` };
        }
        if (generation !== g.generation) return;
        if (view.svg !== undefined) g.locations = view.locations;
        const message: ToGraphPage = { type: 'drawing', ...(view.svg !== undefined && { svg: view.svg }), ...(view.problem !== undefined && { problem: view.problem }) };
        void g.panel.webview.postMessage(message);
    }

    private async reveal(g: OpenGraph, id: string): Promise<void> {
        const at = g.locations?.[id];
        if (!at) return;
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(g.uri));
        const position = new vscode.Position(at.line, at.character);
        // The editor the view was opened from, not a new one beside the view.
        const column = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === g.uri)?.viewColumn ?? vscode.ViewColumn.One;
        const editor = await vscode.window.showTextDocument(document, { viewColumn: column, selection: new vscode.Range(position, position) });
        editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
}
