import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening node:http server that can be shut down completely. */
export interface LocalHttpServer {
  /** The server itself, for listeners that share the port (a WebSocket 'upgrade' handler). */
  readonly server: Server;
  readonly port: number;
  /** Stops listening and drops every connection, keep-alive ones included. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 = any free port). Rejects with the original error, so callers can
 * recognise `EADDRINUSE`.
 */
export async function listenHttp(
  listener: RequestListener,
  port: number,
  host: string,
): Promise<LocalHttpServer> {
  const server = createServer(listener);
  // Browsers and the SDK keep connections open; without a bound close() would wait for them.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // close() alone ends idle keep-alive sockets (Node >= 19) but waits for busy ones.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
