import type { IncomingHttpHeaders } from 'node:http';
import { TOSS_CODE, TossError } from './errors';
import { header, type Reply, type SimEnv } from './http';
import type { Outcome } from './idempotency';

/** A fault-injection action for one confirm or cancel call. */
export type Action =
  | { kind: 'approve' }
  | { kind: 'decline'; code: string }
  | { kind: 'error'; code: string }
  | { kind: 'latency'; ms: number }
  | { kind: 'timeout' }
  | { kind: 'approve-then-timeout' }
  /** A proxy in front of the PSP answers with its own HTML page; the PSP never hears of the call. */
  | { kind: 'proxy'; status: number };

const MAX_LATENCY_MS = 10 * 60 * 1000;

export function parseAction(text: string): Action {
  if (text === 'approve' || text === 'timeout' || text === 'approve-then-timeout') return { kind: text };
  const [, kind, argument = ''] = /^(decline|error|latency|proxy):(.*)$/.exec(text) ?? [];
  if ((kind === 'decline' || kind === 'error') && TOSS_CODE.test(argument)) return { kind, code: argument };
  if (kind === 'latency' && /^\d{1,9}$/.test(argument) && Number(argument) <= MAX_LATENCY_MS) {
    return { kind, ms: Number(argument) };
  }
  if (kind === 'proxy' && /^[45]\d\d$/.test(argument)) return { kind, status: Number(argument) };
  throw new TossError('INVALID_REQUEST', `Unknown scenario action: ${JSON.stringify(text)}.`);
}

/**
 * The proxy's page, if the order's next action is `proxy:<status>`: answered before the PSP sees the
 * call, so nothing is counted, stored for the key or changed.
 */
export function proxyAnswer(orderId: string, env: SimEnv): Reply | undefined {
  const next = env.state.scenarios.peek(orderId)?.[0];
  if (next?.kind !== 'proxy') return undefined;
  env.state.takeAction(orderId);
  const body = `<html><head><title>${next.status}</title></head><body><h1>${next.status}</h1><hr>proxy</body></html>`;
  return { status: next.status, body, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

/** The `TossPayments-Test-Code` header forces that error, as in Toss's test mode. */
export function throwForcedTestCode(headers: IncomingHttpHeaders): void {
  const code = header(headers, 'tosspayments-test-code');
  if (code === undefined) return;
  if (!TOSS_CODE.test(code))
    throw new TossError('INVALID_REQUEST', 'TossPayments-Test-Code is not an error code.');
  throw new TossError(code);
}

/** What approving or declining means for the route being called. `approve` may throw a TossError. */
export interface ActionEffects {
  approve(): Reply;
  decline(code: string): Reply;
}

/** Plays one action; no action means the PSP behaves normally. */
export async function perform(
  action: Action | undefined,
  env: SimEnv,
  effects: ActionEffects,
): Promise<Outcome> {
  switch (action?.kind) {
    case undefined:
    case 'approve':
      return { kind: 'completed', reply: effects.approve() };
    case 'decline':
      return { kind: 'completed', reply: effects.decline(action.code) };
    case 'error':
      throw new TossError(action.code);
    case 'latency':
      await env.sleep(action.ms);
      return { kind: 'completed', reply: effects.approve() };
    case 'timeout':
      // Held while "processing", so a retry with the same key meanwhile gets 409.
      await env.sleep(env.hangMs);
      return { kind: 'timed-out' };
    case 'approve-then-timeout':
      return { kind: 'completed', reply: effects.approve(), lost: true };
    case 'proxy':
      // Taken by proxyAnswer before the PSP is reached; queued behind another action, it plays there.
      return { kind: 'completed', reply: effects.approve() };
  }
}
