import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the scripted server received. */
export interface Received {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One scripted reply: an answer, or the connection closed without one. */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | 'drop';

/** A real HTTP server on a free port that answers from a script, one reply per request, and records what came. */
export async function scriptedServer(
  reply: (received: Received, index: number) => Reply,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const answer = reply(request, received.length - 1);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      const problem = answer.status >= 400 && answer.status !== 402;
      res.writeHead(answer.status, {
        'content-type': problem ? 'application/problem+json' : 'application/json',
        ...answer.headers,
      });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function problem(status: number, code: string, detail = `${code} happened`) {
  return { type: `https://example.test/problems/${code}`, title: code, status, code, detail };
}
