// Typed use of rpc.ts's message definitions on the server's connection.
import type { Connection } from 'vscode-languageserver';
import type { NotificationDef, RequestDef } from '../../language/communication/rpc.js';

/** Handles a custom request. */
export function onRpcRequest<P, R>(connection: Connection, def: RequestDef<P, R>, handler: (params: P) => R | Promise<R>): void {
    connection.onRequest(def.method, async (params: P) => (await handler(params)) as unknown);
}

/** Handles a custom notification. */
export function onRpcNotification<P>(connection: Connection, def: NotificationDef<P>, handler: (params: P) => void): void {
    connection.onNotification(def.method, (params: P) => handler(params));
}

/** Sends a custom notification; a closed connection (the client is gone) is not an error here. */
export function sendRpcNotification<P>(connection: Connection, def: NotificationDef<P>, params: P): void {
    connection.sendNotification(def.method, params).catch(() => undefined);
}
