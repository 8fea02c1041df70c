import type { Payment } from '../domain/payment';
import {
  applyCorrection,
  assess,
  type Correction,
  type InternalPayment,
  type PspDay,
  type PspPaymentView,
  type ReconciliationClass,
  type Verdict,
} from '../domain/reconciliation';
import type { PaymentStore } from '../ports/payment-store';
import type { Deadline, PaymentGateway } from '../ports/psp';
import type { Clock } from './clock';

export interface OrderDeps {
  readonly psp: Pick<PaymentGateway, 'findByOrderId'>;
  readonly payments: Pick<PaymentStore, 'get' | 'save'>;
  readonly clock: Clock;
}

export interface OrderEvidence {
  readonly orderId: string;
  readonly psp?: PspDay;
  readonly internal?: InternalPayment;
}

export interface OrderOutcome extends OrderEvidence {
  /** The class as this run found it. */
  readonly found: ReconciliationClass;
  /** The class after this run's corrections: MATCHED once they all applied. */
  readonly final: ReconciliationClass;
  readonly reason: string;
  readonly applied: readonly Correction[];
}

/** A correction loses only to a concurrent write (confirm, cancel, recovery); it is then re-decided. */
const CORRECTION_ATTEMPTS = 5;

const NONE: readonly Correction[] = [];

/** The outcome when the evidence alone decides and nothing needs correcting: no I/O, no await. */
export function decidedOutright(evidence: OrderEvidence): OrderOutcome | undefined {
  const verdict = assess({ psp: evidence.psp, internal: evidence.internal });
  if (verdict.kind !== 'verdict' || verdict.corrections.length > 0) return undefined;
  const { orderId, psp, internal } = evidence;
  return {
    orderId,
    psp,
    internal,
    found: verdict.class,
    final: verdict.class,
    reason: verdict.reason,
    applied: NONE,
  };
}

/**
 * Classifies one order and applies the safe corrections (none in a dry run). Corrections are decided again on a strongly
 * consistent read (the index copy may lag) and saved with the payment's version as the condition,
 * so a re-run, or a writer that got there first, leaves nothing to apply twice.
 */
export async function reconcileOrder(
  deps: OrderDeps,
  evidence: OrderEvidence,
  deadline: Deadline,
  options: { readonly dryRun: boolean },
): Promise<OrderOutcome> {
  let pspNow: PspPaymentView | null | undefined;
  const decide = async (internal: InternalPayment | undefined): Promise<Verdict> => {
    const first = assess({ psp: evidence.psp, internal, pspNow });
    if (first.kind === 'verdict') return first;
    pspNow = await lookUp(deps.psp, evidence.orderId, deadline);
    const second = assess({ psp: evidence.psp, internal, pspNow });
    if (second.kind !== 'verdict') throw new Error(`no verdict for ${evidence.orderId} with the PSP's view`);
    return second;
  };

  const found = await decide(evidence.internal);
  const outcome = { ...evidence, found: found.class, final: found.class, reason: found.reason, applied: [] };
  // A dry run (a day still open) says what it found and changes nothing.
  if (found.corrections.length === 0 || options.dryRun) return outcome;

  const applied: Correction[] = [];
  for (let attempt = 0; attempt < CORRECTION_ATTEMPTS; attempt++) {
    const payment = await deps.payments.get(evidence.orderId);
    const current = await decide(payment);
    if (!payment || current.corrections.length === 0) {
      return { ...outcome, final: current.class, reason: current.reason, applied };
    }
    if (await applyAll(deps, payment, current.corrections, applied)) {
      return { ...outcome, final: 'MATCHED', applied };
    }
  }
  throw new Error(`could not correct ${evidence.orderId}: it kept changing under reconciliation`);
}

/** Applies corrections in order, each one saved on its own; false when a concurrent write won. */
async function applyAll(
  deps: OrderDeps,
  payment: Payment,
  corrections: readonly Correction[],
  applied: Correction[],
): Promise<boolean> {
  let current = payment;
  for (const correction of corrections) {
    const next = applyCorrection(current, correction, deps.clock().toISOString());
    if (!next.ok) {
      throw new Error(`correction ${correction.kind} of ${payment.orderId} refused: ${next.reason}`);
    }
    if (!(await deps.payments.save(current, next.payment, { event: next.event }))) return false;
    applied.push(correction);
    current = next.payment;
  }
  return true;
}

async function lookUp(
  psp: OrderDeps['psp'],
  orderId: string,
  deadline: Deadline,
): Promise<PspPaymentView | null> {
  const result = await psp.findByOrderId(orderId, deadline);
  if (result.kind === 'found') return result.payment;
  if (result.kind === 'notFound') return null;
  // Deciding without the PSP's view would be a guess: the run fails, and re-running it is idempotent.
  throw new Error(`PSP lookup of ${orderId} failed: ${result.code} ${result.message}`);
}
