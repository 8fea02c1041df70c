import type { IncomingHttpHeaders } from 'node:http';
import { TossError } from './errors';
import { type HandlerResult, header, type Reply } from './http';
import type { TouchedMap } from './state';

/** How a confirm or cancel ended at the PSP. Errors are thrown instead; `TossError.stored` says if they are kept. */
export type Outcome =
  /** An approval or a decline: stored for the key. `lost`: the PSP acted but the client never hears. */
  | { kind: 'completed'; reply: Reply; lost?: boolean }
  /** Nothing was done and nobody is answered. */
  | { kind: 'timed-out' };

export type Entry = { kind: 'processing' } | { kind: 'completed'; reply: Reply };

/**
 * Keyed by route and key. The simulator serves a single merchant secret key, so Toss's
 * per-secret-key scope is implied.
 */
export type IdempotencyEntries = TouchedMap<string, Entry>;

const MAX_KEY_LENGTH = 300;

export function idempotencyKey(headers: IncomingHttpHeaders): string | undefined {
  const key = header(headers, 'idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
    throw new TossError('INVALID_IDEMPOTENCY_KEY', `Idempotency-Key must be 1-${MAX_KEY_LENGTH} characters.`);
  }
  return key;
}

/**
 * Runs `execute` under Toss's Idempotency-Key rules: a completed outcome, or an error Toss does not
 * ask to be retried, is replayed as stored; a key still in flight is refused with 409; temporary
 * errors and timeouts free the key.
 */
export async function runIdempotent(
  entries: IdempotencyEntries,
  route: string,
  key: string | undefined,
  execute: () => Promise<Outcome>,
): Promise<HandlerResult> {
  if (key === undefined) return toResult(await execute());
  const id = `${route}\n${key}`;
  const entry = entries.get(id);
  if (entry?.kind === 'completed') return entry.reply;
  if (entry?.kind === 'processing') throw new TossError('IDEMPOTENT_REQUEST_PROCESSING');

  entries.set(id, { kind: 'processing' });
  let outcome: Outcome | undefined;
  try {
    outcome = await execute();
    return toResult(outcome);
  } catch (error) {
    if (!(error instanceof TossError && error.stored)) throw error;
    outcome = { kind: 'completed', reply: error.toReply() };
    return outcome.reply;
  } finally {
    if (outcome?.kind === 'completed') entries.set(id, { kind: 'completed', reply: outcome.reply });
    else entries.delete(id);
  }
}

function toResult(outcome: Outcome): HandlerResult {
  if (outcome.kind === 'timed-out') return { drop: 'now' };
  return outcome.lost ? { drop: 'after-hang' } : outcome.reply;
}
