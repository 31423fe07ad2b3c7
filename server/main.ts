// Entry of `hyp-language-server`: `--stdio` (any editor), `--node-ipc` (the VS Code client) or
// `--socket=<port>`, as vscode-languageserver reads them from the command line.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startHypLanguageServer } from './hyp-language-server.js';

startHypLanguageServer(createConnection(ProposedFeatures.all));
