// The lens commands (HypCommands) for every client but the VS Code extension: Neovim, Helix, Emacs
// and the rest run them through workspace/executeCommand, and the server answers with what any
// client shows, window/showMessage (progress is the scrub's work-done progress, and lenses refresh
// on their own). The VS Code extension registers the same ids with its richer views and says so
// at initialize: vscode-languageclient registers every advertised id as a VS Code command, which
// would clash with the extension's own, so none is advertised to it. The exploration commands are
// served to every client (the extension forwards them), and insertBelow serves the challenge view.
import type { TextDocument } from 'langium';
import { AbstractExecuteCommandHandler, type ExecuteCommandAcceptor, type TextDocuments } from 'langium/lsp';
import { ErrorCodes, MessageType, ResponseError, ShowMessageNotification, type Connection } from 'vscode-languageserver';
import type { ScrubResult } from '../../engine/result.js';
import { unusedName } from '../../engine/explore/hypothesis-text.js';
import {
    HypCommands, type HypothesisRef, type InsertBelowResult, type LensCommandArgs, type ResultView, type ScrubAccepted, type ScrubFinished,
} from '../../language/communication/rpc.js';
import { ExploreCommands, type ChallengeReply } from '../../language/communication/explore-commands.js';
import { describeResult, percent } from '../../language/lsp/scrub-status.js';
import type { ScrubService } from './scrub-service.js';

/** Lines of the worker's log that `hyp.showLog` shows. */
export const SHOWN_LOG_LINES = 20;

/** What the commands act on, attached by the language server once scrubbing is set up. */
export interface LensCommandDeps {
    service: ScrubService;
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    /** The worker's latest log lines, oldest first. */
    logTail(): readonly string[];
}

export class HypExecuteCommandHandler extends AbstractExecuteCommandHandler {
    /** Whether the commands are advertised: not to the VS Code extension, which runs its own. */
    offered = true;
    /** Whether the client shows a challenge in a view of its own (CHALLENGE_VIEW_CAPABILITY). */
    challengeView = false;
    private deps?: LensCommandDeps;

    /** Makes the commands runnable (and advertised, when offered). */
    attach(deps: LensCommandDeps): void {
        this.deps = deps;
    }

    override get commands(): string[] {
        return this.offered && this.deps ? super.commands : [];
    }

    registerCommands(accept: ExecuteCommandAcceptor): void {
        accept(HypCommands.scrub, args => this.scrub(lensArgs(args)));
        accept(HypCommands.scrubAll, args => this.scrubAll(lensArgs(args)));
        accept(HypCommands.cancel, args => this.cancel(lensArgs(args)));
        accept(HypCommands.showResult, args => this.showResult(lensArgs(args)));
        accept(HypCommands.showLog, () => this.showLog());
        accept(ExploreCommands.discover, args => this.explore(lensArgs(args), 'discover'));
        accept(ExploreCommands.challenge, args => this.explore(lensArgs(args), 'challenge'));
    }

    /**
     * Runs a discover search from, or a challenge of, the hypothesis and inserts what it found below
     * it (workspace/applyEdit); answers with the one-line summary once the job ends. A client with
     * the challenge view capability gets a challenge's findings as a ChallengeReply instead, and
     * nothing is inserted until it asks (insertBelow).
     */
    private async explore(args: LensCommandArgs, kind: 'discover' | 'challenge'): Promise<string | ChallengeReply> {
        if (!args.uri || !args.hypothesis) throw new ResponseError(ErrorCodes.InvalidParams, `${ExploreCommands[kind]} takes one argument { uri, hypothesis } (its code action passes it)`);
        const { service } = this.ready();
        const toView = kind === 'challenge' && this.challengeView;
        const started = await service.explore({ uri: args.uri, hypothesis: args.hypothesis, kind });
        if ('refused' in started) {
            this.show(MessageType.Warning, `Cannot ${kind === 'discover' ? 'search' : 'challenge'}: ${started.refused}`);
            return toView ? { outcome: 'refused', message: started.refused } : started.refused;
        }
        let outcome;
        try {
            outcome = await started.outcome;
        } catch (e) {
            const message = (e as Error).message;
            const cancelled = (e as { kind?: string }).kind === 'cancelled';
            this.show(cancelled ? MessageType.Info : MessageType.Error, `${kind === 'discover' ? 'Discover' : 'Challenge'} of "${args.hypothesis}" ${cancelled ? 'cancelled' : `failed: ${message}`}`);
            return toView ? { outcome: cancelled ? 'cancelled' : 'failed', message } : message;
        }
        if (toView) {
            if (outcome.challenge) return { outcome: 'done', uri: args.uri, summary: outcome.summary, report: outcome.challenge };
            const message = 'the scrub worker sent no challenge report';
            this.show(MessageType.Error, `Challenge of "${args.hypothesis}" failed: ${message}`);
            return { outcome: 'failed', message };
        }
        const inserted = await this.insertBelow({ uri: args.uri, hypothesis: args.hypothesis, text: outcome.text },
            kind === 'discover' ? `Smaller circuit from ${args.hypothesis}` : `Refinements of ${args.hypothesis}`);
        if (!inserted.applied) this.show(MessageType.Warning, `Nothing inserted: ${inserted.problem}`);
        this.show(MessageType.Info, outcome.summary);
        return outcome.summary;
    }

    /**
     * Inserts `text` below the hypothesis's block (after a blank line) with workspace/applyEdit.
     * With `name`, the block the text declares is renamed to an unused name if the file has that
     * one by now (a refinement inserted twice).
     */
    async insertBelow(params: HypothesisRef & { text: string; name?: string }, label = `Below ${params.hypothesis}`): Promise<InsertBelowResult> {
        const { service, connection } = this.ready();
        const at = await service.insertionPoint(params.uri, params.hypothesis);
        if (!at) return { applied: false, problem: `the file has no hypothesis named "${params.hypothesis}" any more` };
        let { text } = params;
        let name = params.name;
        if (name !== undefined) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { applied: false, problem: `"${name}" is not a hypothesis name` };
            const fresh = unusedName(name, at.names);
            const header = new RegExp(`^hypothesis ${name}\\b`, 'm');
            if (!header.test(text)) return { applied: false, problem: `the text to insert declares no hypothesis named "${name}"` };
            text = text.replace(header, `hypothesis ${fresh}`);
            name = fresh;
        }
        const reply = await connection.workspace.applyEdit({
            label, edit: { changes: { [params.uri]: [{ range: { start: at.end, end: at.end }, newText: `\n\n${text}` }] } },
        }).catch((e: Error) => ({ applied: false, failureReason: e.message }));
        if (!reply.applied) return { applied: false, problem: `the editor did not apply the edit${reply.failureReason ? `: ${reply.failureReason}` : ''}` };
        return { applied: true, ...(name !== undefined && { name }) };
    }

    /** Tells a plain client how a job ended (the VS Code extension shows hyp/scrubFinished its own way). */
    async announce(f: ScrubFinished): Promise<void> {
        const { service, connection } = this.ready();
        if (f.outcome === 'done') {
            const view = await service.result({ uri: f.uri, hypothesis: f.hypothesis }) as ResultView<ScrubResult> | null;
            if (view) this.show(MessageType.Info, `${f.hypothesis}: ${describeResult(view.stored.result)}`);
        } else if (f.outcome === 'failed') {
            this.show(MessageType.Error, `Scrubbing "${f.hypothesis}" failed: ${f.message ?? 'unknown error'}`);
        } else {
            connection.console.info(`Scrubbing "${f.hypothesis}" cancelled`);
        }
    }

    private async scrub(args: LensCommandArgs): Promise<ScrubAccepted> {
        if (!args.uri || !args.hypothesis) {
            throw new ResponseError(ErrorCodes.InvalidParams,
                `${HypCommands.scrub} takes one argument { uri, hypothesis } (its code lens passes it); ${HypCommands.scrubAll} scrubs every hypothesis of the open files`);
        }
        return this.start(args.uri, [args.hypothesis], args.rerun);
    }

    /** Every hypothesis of one file, or (without arguments) of every open .hyp file. */
    private async scrubAll(args: LensCommandArgs): Promise<(ScrubAccepted & { uri: string })[]> {
        const { documents } = this.ready();
        const uris = args.uri ? [args.uri] : documents.all().filter(d => d.languageId === 'hyp' || d.uri.endsWith('.hyp')).map(d => d.uri);
        if (uris.length === 0) this.show(MessageType.Warning, 'Cannot scrub: no .hyp file is open');
        return Promise.all(uris.map(async uri => ({ uri, ...await this.start(uri, undefined, args.rerun) })));
    }

    private async start(uri: string, hypotheses: string[] | undefined, rerun = false): Promise<ScrubAccepted> {
        const accepted = await this.ready().service.scrub({ uri, hypotheses, rerun });
        if (accepted.refused) this.show(MessageType.Warning, `Cannot scrub: ${accepted.refused}`);
        return accepted;
    }

    /** The lens's hypothesis, or (without arguments) every job. */
    private cancel(args: LensCommandArgs): number {
        const n = this.ready().service.cancel(args.uri ? { uri: args.uri, hypothesis: args.hypothesis } : {});
        this.show(MessageType.Info, n ? `Cancelled ${n} scrub job${n > 1 ? 's' : ''}` : 'Nothing to cancel');
        return n;
    }

    private async showResult(args: LensCommandArgs): Promise<string> {
        if (!args.uri || !args.hypothesis) throw new ResponseError(ErrorCodes.InvalidParams, `${HypCommands.showResult} takes one argument { uri, hypothesis } (its code lens passes it)`);
        const view = await this.ready().service.result({ uri: args.uri, hypothesis: args.hypothesis }) as ResultView<ScrubResult> | null;
        const text = view ? resultText(args.hypothesis, view) : `"${args.hypothesis}" has not been scrubbed yet.`;
        this.show(MessageType.Info, text);
        return text;
    }

    private showLog(): string {
        const lines = this.ready().logTail().slice(-SHOWN_LOG_LINES);
        const text = lines.length ? `Scrub worker log (last ${lines.length} lines):\n${lines.join('\n')}` : 'The scrub worker has not logged anything yet.';
        this.show(MessageType.Info, text);
        return text;
    }

    private show(type: MessageType, message: string): void {
        void this.ready().connection.sendNotification(ShowMessageNotification.type, { type, message }).catch(() => undefined);
    }

    private ready(): LensCommandDeps {
        if (!this.deps) throw new ResponseError(ErrorCodes.InternalError, 'scrubbing is not set up in this language server');
        return this.deps;
    }
}

/** The command's argument object (code lenses pass one); anything else reads as none. */
function lensArgs(args: unknown[]): LensCommandArgs {
    const a = args[0];
    if (typeof a !== 'object' || a === null) return {};
    const { uri, hypothesis, rerun } = a as Record<string, unknown>;
    return {
        ...(typeof uri === 'string' && { uri }),
        ...(typeof hypothesis === 'string' && { hypothesis }),
        ...(typeof rerun === 'boolean' && { rerun }),
    };
}

/** A result in a few lines: what the VS Code result view shows first, without the histogram. */
export function resultText(hypothesis: string, view: ResultView<ScrubResult>): string {
    const r = view.stored.result;
    const value = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
    return [
        `${hypothesis}: ${describeResult(r)}${view.stale ? ' (stale: the model, dataset, hypothesis or settings changed since)' : ''}`,
        `${r.metric}: clean ${value(r.clean)} / scrubbed ${value(r.scrubbed)} / random ${value(r.random)} · examples made worse ${percent(r.worse)} / better ${percent(r.better)} · seed ${r.seed}`,
    ].join('\n');
}
