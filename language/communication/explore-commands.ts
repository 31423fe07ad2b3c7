// The exploration commands (engine/explore/): "Find a smaller circuit from here" (discover) and
// "Challenge this hypothesis", code actions on a hypothesis that the server runs in the scrub
// worker (server/scrub/hyp-execute-command-handler.ts). Their argument is a LensCommandArgs
// { uri, hypothesis }. Defined once for the code action provider, the command handler and the
// VS Code extension.
import type { ChallengeReport } from '../../engine/worker/protocol.js';

export const ExploreCommands = {
    discover: 'hyp.discover',
    challenge: 'hyp.challenge',
} as const;

/**
 * The experimental client capability (`capabilities.experimental[CHALLENGE_VIEW_CAPABILITY] ===
 * true` at initialize) of a client that shows a challenge in a view of its own: `hyp.challenge`
 * then answers with a ChallengeReply and inserts nothing; the view inserts a refinement when the
 * user asks (HypRpc.insertBelow). Without it (Neovim, Helix, …) the server inserts the verdict and
 * the best refinements below the hypothesis and answers with the one-line summary.
 */
export const CHALLENGE_VIEW_CAPABILITY = 'hypChallengeView';

/** What `hyp.challenge` answers a client with the challenge view capability. */
export type ChallengeReply =
    | { outcome: 'done'; uri: string; summary: string; report: ChallengeReport }
    | { outcome: 'refused' | 'failed' | 'cancelled'; message: string };
