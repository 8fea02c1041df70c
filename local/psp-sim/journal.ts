import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Entry } from './idempotency';
import type { Action } from './scenarios';
import { type Order, SimState } from './state';

type Line =
  | { t: 'order'; k: string; v: Order | null }
  | { t: 'scenario'; k: string; v: Action[] | null }
  | { t: 'idempotency'; k: string; v: Entry | null }
  | { t: 'reset' };

/** Dates come back from JSON as strings. */
function reviveOrder(order: Order): Order {
  return {
    ...order,
    requestedAt: new Date(order.requestedAt),
    approval: order.approval && { ...order.approval, approvedAt: new Date(order.approval.approvedAt) },
    cancels: order.cancels.map((c) => ({ ...c, canceledAt: new Date(c.canceledAt) })),
    // A confirm in flight died with the process: nothing was approved, the session is open again.
    status: order.status === 'IN_PROGRESS' ? 'READY' : order.status,
  };
}

/**
 * Keeps the simulator's state in a file, so a restart (or a `kill -9`) loses nothing it answered:
 * an append-only journal of the orders, scenarios and stored idempotent outcomes each request
 * touched, written before the answer goes out. Loading replays it (last line wins) and rewrites
 * it compacted. Keys still being processed are not kept: their request died with the process.
 */
export class StateJournal {
  constructor(private readonly file: string) {}

  load(): SimState {
    const state = new SimState();
    if (existsSync(this.file)) {
      for (const text of readFileSync(this.file, 'utf8').split('\n')) {
        if (text) this.apply(state, JSON.parse(text) as Line);
      }
    }
    for (const order of state.orders.values()) state.orderIdByPaymentKey.set(order.paymentKey, order.orderId);
    this.compact(state);
    return state;
  }

  /** Appends what the last requests touched. */
  save(state: SimState): void {
    const lines: Line[] = [
      ...state.orders.takeTouched().map((k): Line => ({ t: 'order', k, v: state.orders.peek(k) ?? null })),
      ...state.scenarios
        .takeTouched()
        .map((k): Line => ({ t: 'scenario', k, v: state.scenarios.peek(k) ?? null })),
      ...state.idempotency.takeTouched().map((k): Line => {
        const entry = state.idempotency.peek(k);
        return { t: 'idempotency', k, v: entry?.kind === 'completed' ? entry : null };
      }),
    ];
    if (lines.length) appendFileSync(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }

  /** A reset forgets everything, on disk too. */
  reset(): void {
    appendFileSync(this.file, `${JSON.stringify({ t: 'reset' })}\n`);
  }

  private apply(state: SimState, line: Line): void {
    if (line.t === 'reset') {
      for (const map of [state.orders, state.scenarios, state.idempotency]) map.clear();
      return;
    }
    if (line.t === 'order') {
      if (line.v) state.orders.set(line.k, reviveOrder(line.v));
      else state.orders.delete(line.k);
    } else if (line.t === 'scenario') {
      if (line.v) state.scenarios.set(line.k, line.v);
      else state.scenarios.delete(line.k);
    } else if (line.v) state.idempotency.set(line.k, line.v);
    else state.idempotency.delete(line.k);
  }

  private compact(state: SimState): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const lines: Line[] = [
      ...[...state.orders].map(([k, v]): Line => ({ t: 'order', k, v })),
      ...[...state.scenarios].map(([k, v]): Line => ({ t: 'scenario', k, v })),
      ...[...state.idempotency].map(([k, v]): Line => ({ t: 'idempotency', k, v })),
    ];
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(temporary, this.file);
    for (const map of [state.orders, state.scenarios, state.idempotency]) map.takeTouched();
  }
}
