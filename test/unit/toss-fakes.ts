import { type TossGatewayOptions, TossPaymentGateway } from '../../lambdas/adapters/toss/toss-gateway';

/** A TossPaymentGateway over a scripted fetch and a manual clock, shared by the gateway's unit tests. */

export const SECRET = 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R';
export const BASIC = `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`;
export const BASE_URL = 'https://api.tosspayments.test';

export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

/** Answers one call; `clock` lets it simulate time spent on the wire. */
export type Responder = (
  call: RecordedCall,
  clock: { advance(ms: number): void },
) => Response | Promise<Response>;

export const json =
  (status: number, body: unknown): Responder =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
export const tossError = (status: number, code: string, message = 'recorded Toss message') =>
  json(status, { code, message });
export const html =
  (status: number): Responder =>
  () =>
    new Response('<html>Bad Gateway</html>', { status });
/** What fetch does when AbortSignal.timeout fires: the attempt used all the time it had. */
export const timesOut: Responder = (_, clock) => {
  clock.advance(5_000);
  throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
};
export const refused: Responder = () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
  throw new TypeError('fetch failed', { cause });
};
export const slow =
  (ms: number, then: Responder): Responder =>
  (call, clock) => {
    clock.advance(ms);
    return then(call, clock);
  };

export const POLICY = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 4, minAttemptMs: 500 };

export function setup(
  responders: Responder[],
  options: Partial<TossGatewayOptions> & { remainingMs?: number } = {},
) {
  let now = 0;
  const clock = {
    advance: (ms: number) => {
      now += ms;
    },
  };
  const calls: RecordedCall[] = [];
  const sleeps: number[] = [];
  const logs: { message: string; attributes: Record<string, unknown> }[] = [];
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: RecordedCall = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init?.signal ?? undefined,
    };
    const responder = responders[calls.length];
    calls.push(call);
    if (responder === undefined) throw new Error(`unexpected call ${calls.length}`);
    return responder(call, clock);
  };
  const gateway = new TossPaymentGateway({
    baseUrl: `${BASE_URL}/`,
    secretKey: async () => SECRET,
    requestTimeoutMs: 5_000,
    retryBudgetMs: 20_000,
    safetyMarginMs: 2_000,
    retryPolicy: POLICY,
    fetch: fakeFetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    now: () => now,
    logger: { warn: (message, attributes) => logs.push({ message, attributes }) },
    ...options,
  });
  const remainingMs = options.remainingMs ?? 28_000;
  const deadline = { remainingMs: () => remainingMs - now };
  return { gateway, calls, sleeps, logs, deadline };
}
