import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TossError } from './errors';
import type { Order, SimState } from './state';

const MAX_BODY_BYTES = 64 * 1024;

/** A fully serialized response, so that a stored outcome replays byte-for-byte. */
export interface Reply {
  status: number;
  body: string;
  /** Besides the JSON content type (the payment window's pages and redirects set their own). */
  headers?: Record<string, string>;
}

/** The connection is closed without an answer: at once, or after holding it for `hangMs`. */
export interface Drop {
  drop: 'now' | 'after-hang';
}

export type HandlerResult = Reply | Drop;

export interface SimRequest {
  /** The one path parameter of the route ('' when it has none), URL-decoded. */
  param: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
}

/** What a handler works with. `state` is captured per request, so a reset never mixes with work in flight. */
export interface SimEnv {
  state: SimState;
  clock: () => Date;
  hangMs: number;
  sleep(ms: number): Promise<void>;
  /** After every status change of an order: registered webhooks hear of it. */
  statusChanged(order: Order): void;
}

export type Handler = (req: SimRequest, env: SimEnv) => HandlerResult | Promise<HandlerResult>;

export function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) };
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new TossError('INVALID_REQUEST', 'The body is not valid JSON.');
  }
}

/** An HTML form's fields (application/x-www-form-urlencoded), for the payment window. */
export async function readFormBody(req: IncomingMessage): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams((await readBody(req)) ?? ''));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when oversized, so the client gets the 400 rather than a reset connection.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES)
    throw new TossError('INVALID_REQUEST', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}
