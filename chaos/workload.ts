import { randomUUID } from 'node:crypto';
import { api, type HttpAnswer, newKey, request, sim } from '../test/support/http-client';
import { SIM_PSP_AUTH } from '../test/support/own-payments-table';

/** What one payment of the workload goes through at the PSP and at our API. */
export const PAYMENT_KINDS = [
  'approve',
  'decline',
  'transient',
  'approveThenTimeout',
  'timeout',
  'partialCancel',
  'fullCancel',
  'duplicates',
  'consoleRefund',
] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export interface WorkloadPayment {
  readonly orderId: string;
  readonly kind: PaymentKind;
  readonly amount: number;
  /** Steps that never got a definitive answer before the deadline (left to recovery). */
  readonly unfinished: string[];
  /** Answers no scenario expects (e.g. a 5xx that stayed, a 400), for the report. */
  readonly unexpected: string[];
  /** Webhook hints the workload itself sent to `POST /webhooks/toss` for this order. */
  hints: number;
}

/** Whether the workload plays Toss's webhooks (off: what a console refund leaves without them). */
export interface WebhookPlay {
  readonly enabled: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded generator, so a run can be repeated (`--seed`). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** The PSP fault injection queued before the confirm. */
const SCENARIOS: Record<PaymentKind, readonly string[]> = {
  approve: [],
  decline: ['decline:REJECT_CARD_PAYMENT'],
  transient: ['error:PROVIDER_ERROR', 'approve'],
  approveThenTimeout: ['approve-then-timeout'],
  timeout: ['timeout', 'timeout'],
  partialCancel: [],
  fullCancel: [],
  duplicates: [],
  // The approval's answer is lost twice: the payment waits for recovery's look while the console
  // refund (made as soon as the PSP shows the approval) and its webhooks race that look.
  consoleRefund: ['approve-then-timeout', 'timeout'],
};

const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'CANCELED', 'PARTIAL_CANCELED']);

/**
 * Calls until an answer `settles` it, through runtime kills: a refused connection, a 5xx or a
 * 409 in progress is retried; gives up at the deadline (returns undefined).
 */
async function untilSettled<T>(
  call: () => Promise<T>,
  settles: (answer: T) => boolean | Promise<boolean>,
  deadline: number,
): Promise<T | undefined> {
  while (Date.now() < deadline) {
    const answer = await call().catch(() => undefined);
    if (answer && (await settles(answer))) return answer;
    await sleep(250);
  }
  return undefined;
}

async function currentStatus(orderId: string): Promise<string | undefined> {
  const answer = await api('GET', `/payments/${encodeURIComponent(orderId)}`).catch(() => undefined);
  return answer?.status === 200 ? answer.json.status : undefined;
}

const IN_DOUBT = new Set(['EXECUTING', 'UNKNOWN']);

/** A `PAYMENT_STATUS_CHANGED` hint to our public webhook route, as Toss sends (its body is only a hint). */
async function hint(payment: WorkloadPayment, status: string): Promise<HttpAnswer | undefined> {
  payment.hints += 1;
  const body = {
    eventType: 'PAYMENT_STATUS_CHANGED',
    createdAt: new Date().toISOString(),
    data: { orderId: payment.orderId, status },
  };
  return api('POST', '/webhooks/toss', { body, as: 'anonymous' }).catch(() => undefined);
}

/** While the payment is in doubt (recovery's to finish), hints race recovery's looks. */
async function hintWhileInDoubt(payment: WorkloadPayment, deadline: number): Promise<void> {
  let status = await currentStatus(payment.orderId);
  while ((status === undefined || IN_DOUBT.has(status)) && Date.now() < deadline) {
    await hint(payment, 'DONE');
    await sleep(300);
    status = await currentStatus(payment.orderId);
  }
}

/**
 * A refund made in the PSP's console (not through us) as soon as the PSP shows the approval, racing
 * recovery's look, with a burst of hints; then a hint until one is answered 200, as Toss redelivers
 * until answered (the simulator's own delivery dies with it at a kill). Done once our balance is the
 * PSP's: no reconciliation, only webhooks and recovery heal it.
 */
async function consoleRefund(
  payment: WorkloadPayment,
  paymentKey: string,
  webhooks: WebhookPlay,
  partial: boolean,
  deadline: number,
): Promise<void> {
  const approved = await untilSettled(
    () => sim.truth(payment.orderId),
    (truth) => truth.status !== 'READY' && truth.status !== 'IN_PROGRESS',
    deadline,
  );
  if (approved?.status !== 'DONE') {
    if (!approved) payment.unfinished.push('approval at the PSP before the console refund');
    return;
  }
  const key = newKey('chaos-console');
  const body = {
    cancelReason: 'console',
    ...(partial ? { cancelAmount: Math.floor(payment.amount * 0.4) } : {}),
  };
  const refund = untilSettled(
    () =>
      request(sim.url(), 'POST', `/v1/payments/${paymentKey}/cancel`, {
        body,
        headers: {
          Authorization: SIM_PSP_AUTH,
          'Idempotency-Key': key,
        },
      }),
    (a) => a.status === 200,
    deadline,
  );
  if (webhooks.enabled) await Promise.all([0, 1, 2].map(() => hint(payment, 'DONE')));
  if (!(await refund)) {
    payment.unfinished.push('console refund');
    return;
  }
  if (webhooks.enabled)
    await untilSettled(
      () => hint(payment, partial ? 'PARTIAL_CANCELED' : 'CANCELED'),
      (a) => a?.status === 200,
      deadline,
    );
  const recorded = await untilSettled(
    async () =>
      [
        await api('GET', `/payments/${encodeURIComponent(payment.orderId)}`),
        await sim.truth(payment.orderId),
      ] as const,
    ([ours, psp]) => ours.status === 200 && ours.json.balanceAmount === psp.balanceAmount,
    deadline,
  );
  if (!recorded) payment.unfinished.push('console refund recorded');
}

/** One payment's script: checkout, the buyer's session, the scenario, confirm(s), then cancel(s). */
export async function runPayment(
  index: number,
  kind: PaymentKind,
  sellers: readonly string[],
  random: () => number,
  stepTimeoutMs: number,
  onOrder: (orderId: string) => void,
  webhooks: WebhookPlay,
): Promise<WorkloadPayment> {
  const lines = 1 + Math.floor(random() * 3);
  const items = Array.from({ length: lines }, (_, line) => ({
    sellerId: sellers[Math.floor(random() * sellers.length)] as string,
    productId: `product-${index}-${line}`,
    amount: 1_000 * (1 + Math.floor(random() * 50)),
  }));
  const amount = items.reduce((sum, item) => sum + item.amount, 0);
  const unfinished: string[] = [];
  const unexpected: string[] = [];
  const deadline = () => Date.now() + stepTimeoutMs;
  const checkoutKey = newKey('chaos');
  const body = { buyerId: `buyer-${index}`, orderName: `chaos ${kind}`, currency: 'KRW', items };
  const checkout = await untilSettled(
    () => api('POST', '/checkouts', { body, headers: { 'Idempotency-Key': checkoutKey } }),
    (a) => a.status === 201,
    deadline(),
  );
  const orderId: string | undefined = checkout?.json.orderId;
  if (!orderId)
    return {
      orderId: `checkout-never-answered-${randomUUID()}`,
      kind,
      amount,
      unfinished: ['checkout'],
      unexpected,
      hints: 0,
    };
  onOrder(orderId);
  const result: WorkloadPayment = { orderId, kind, amount, unfinished, unexpected, hints: 0 };

  const paymentKey = await untilSettled(
    async () => {
      const key = await sim.session(orderId, amount);
      await sim.scenario(orderId, SCENARIOS[kind]);
      return key;
    },
    () => true,
    deadline(),
  );
  if (!paymentKey) {
    unfinished.push('session');
    return result;
  }
  const confirmBody = { paymentKey, orderId, amount };
  const confirmed = async (a: HttpAnswer) => {
    if ([200, 202, 402].includes(a.status)) return true;
    if (a.status >= 400 && a.status < 500 && a.status !== 409)
      unexpected.push(`confirm ${a.status} ${a.json?.code}`);
    // A 409 (another confirm of it in progress, or a request before a kill still holding its key):
    // settled once the payment itself has left execution.
    const status = (await currentStatus(orderId)) ?? '';
    return status === 'UNKNOWN' || TERMINAL.has(status);
  };
  const confirms = kind === 'duplicates' ? 3 : 1;
  const confirming = Promise.all(
    Array.from({ length: confirms }, () =>
      untilSettled(() => api('POST', '/payments/confirm', { body: confirmBody }), confirmed, deadline()),
    ),
  );
  if (kind === 'consoleRefund') {
    await consoleRefund(result, paymentKey, webhooks, index % 2 === 1, deadline());
    if ((await confirming).some((a) => a === undefined)) unfinished.push('confirm');
    return result;
  }
  const answers = await confirming;
  if (answers.some((a) => a === undefined)) unfinished.push('confirm');
  if (webhooks.enabled && (kind === 'timeout' || kind === 'approveThenTimeout'))
    await hintWhileInDoubt(result, deadline());

  if (kind !== 'partialCancel' && kind !== 'fullCancel' && kind !== 'duplicates') return result;
  // Cancel once the approval is recorded (a 202 confirm is finished by recovery).
  const approvedBy = deadline();
  let status = await currentStatus(orderId);
  while (status !== 'SUCCESS' && !(status && TERMINAL.has(status)) && Date.now() < approvedBy) {
    await sleep(250);
    status = await currentStatus(orderId);
  }
  if (status !== 'SUCCESS') {
    if (!status || !TERMINAL.has(status)) unfinished.push('approval before cancel');
    return result;
  }
  const cancelKey = newKey('chaos-cancel');
  const cancelBody =
    kind === 'fullCancel'
      ? { cancelReason: 'chaos' }
      : { cancelReason: 'chaos', cancelAmount: Math.floor(amount * 0.3) };
  const cancelled = (a: HttpAnswer) => {
    if (a.status === 200 || a.status === 422) return true;
    if (a.status >= 400 && a.status < 500 && a.status !== 409) {
      unexpected.push(`cancel ${a.status} ${a.json?.code}`);
      return true;
    }
    return a.status === 409 && a.json?.code !== 'IDEMPOTENCY_IN_PROGRESS';
  };
  const cancels = kind === 'duplicates' ? 2 : 1;
  const cancelAnswers = await Promise.all(
    Array.from({ length: cancels }, () =>
      untilSettled(
        () =>
          api('POST', `/payments/${encodeURIComponent(orderId)}/cancel`, {
            body: cancelBody,
            headers: { 'Idempotency-Key': cancelKey },
          }),
        cancelled,
        deadline(),
      ),
    ),
  );
  if (cancelAnswers.some((a) => a === undefined)) unfinished.push('cancel');
  return result;
}

/** Runs `count` payments, `concurrency` at a time, kinds in turn. */
export async function runWorkload(options: {
  count: number;
  concurrency: number;
  sellers: readonly string[];
  random: () => number;
  stepTimeoutMs: number;
  onOrder: (orderId: string) => void;
  webhooks: WebhookPlay;
}): Promise<WorkloadPayment[]> {
  const results: WorkloadPayment[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const kind = PAYMENT_KINDS[index % PAYMENT_KINDS.length] as PaymentKind;
      results.push(
        await runPayment(
          index,
          kind,
          options.sellers,
          options.random,
          options.stepTimeoutMs,
          options.onOrder,
          options.webhooks,
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return results;
}
