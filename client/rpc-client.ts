// Typed use of rpc.ts's message definitions on the language client.
import type { LanguageClient } from 'vscode-languageclient/node';
import type { NotificationDef, RequestDef } from '../language/communication/rpc.js';

/** Sends a custom request and returns its typed result. */
export function sendRpcRequest<P, R>(client: LanguageClient, def: RequestDef<P, R>, params: P): Promise<R> {
    return client.sendRequest(def.method, params) as Promise<R>;
}

/** Sends a custom notification. */
export function sendRpcNotification<P>(client: LanguageClient, def: NotificationDef<P>, params: P): Promise<void> {
    return client.sendNotification(def.method, params);
}

/** Listens to a custom notification from the server. */
export function onRpcNotification<P>(client: LanguageClient, def: NotificationDef<P>, handler: (params: P) => void): { dispose(): void } {
    return client.onNotification(def.method, (params: P) => handler(params));
}
