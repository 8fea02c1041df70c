import type { LocalStackEndpoints } from '../test/support/local-stack';
import { type AuthorizedOrder, authorizedOrder, postConfirm } from './http';
import { mapConcurrently } from './pool';
import { type Distribution, distribution, msSince, round } from './stats';

export interface ConfirmLoadOptions {
  readonly payments: number;
  readonly concurrency: number;
  /** Confirms run (and discarded) first, so JIT warm-up is not in the figures. */
  readonly warmup: number;
}

export interface ConfirmLoadSection {
  readonly payments: number;
  readonly concurrency: number;
  readonly warmupConfirms: number;
  readonly method: string;
  readonly caveat: string;
  readonly confirmLatencyMs: Distribution;
  readonly confirmsPerSecond: number;
  readonly confirmPhaseMs: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Setup of each order in the same run, for context: POST /checkouts then POST /__sim/sessions. */
  readonly orderSetupLatencyMs: Distribution;
}

/**
 * Over HTTP on the local stack: every order is checked out and authorised at the PSP first,
 * then the confirms alone run with the given concurrency, each one timed end to end.
 */
export async function measureConfirmLoad(
  stack: LocalStackEndpoints,
  options: ConfirmLoadOptions,
): Promise<ConfirmLoadSection> {
  const total = options.warmup + options.payments;
  const setupMs: number[] = [];
  const orders = await mapConcurrently(Array.from({ length: total }), options.concurrency, async () => {
    const start = process.hrtime.bigint();
    const order = await authorizedOrder(stack.apiUrl, stack.pspUrl);
    setupMs.push(msSince(start));
    return order;
  });

  await mapConcurrently(orders.slice(0, options.warmup), options.concurrency, (order) =>
    postConfirm(stack.apiUrl, order),
  );

  const statusCounts: Record<string, number> = {};
  const confirm = async (order: AuthorizedOrder) => {
    const start = process.hrtime.bigint();
    const answer = await postConfirm(stack.apiUrl, order);
    const ms = msSince(start);
    statusCounts[answer.status] = (statusCounts[answer.status] ?? 0) + 1;
    return ms;
  };
  const phaseStart = process.hrtime.bigint();
  const latencies = await mapConcurrently(orders.slice(options.warmup), options.concurrency, confirm);
  const phaseMs = msSince(phaseStart);

  return {
    payments: options.payments,
    concurrency: options.concurrency,
    warmupConfirms: options.warmup,
    method:
      'POST /checkouts (Idempotency-Key) + POST /__sim/sessions for every order first; then only POST /payments/confirm, timed per request; throughput = measured confirms / wall time of the confirm phase',
    caveat:
      'the load generator, the local runtime (handlers in one Node process), DynamoDB Local (JVM) and the PSP simulator share this machine: compare runs on the same machine, not with Lambda',
    confirmLatencyMs: distribution(latencies),
    confirmsPerSecond: round(options.payments / (phaseMs / 1000), 1),
    confirmPhaseMs: round(phaseMs, 0),
    statusCounts,
    orderSetupLatencyMs: distribution(setupMs),
  };
}
