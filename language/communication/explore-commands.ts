// The exploration commands (engine/explore/): "Find a smaller circuit from here" (discover) and
// "Challenge this hypothesis", code actions on a hypothesis that the server runs in the scrub
// worker (server/scrub/hyp-execute-command-handler.ts). Their argument is a LensCommandArgs
// { uri, hypothesis }. Defined once for the code action provider and the command handler.
export const ExploreCommands = {
    discover: 'hyp.discover',
    challenge: 'hyp.challenge',
} as const;
