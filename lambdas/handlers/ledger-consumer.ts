import { recordLedgerUseCase } from '../application/record-ledger';
import { ledgerStore } from '../shared/composition';
import { eventConsumer } from '../shared/event-consumer';
import { observed } from '../shared/observability';
import { completionReporter } from '../shared/queues';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();

/** Ledger queue (FIFO) → double-entry journal, then a completion report. */
export const handler = observed(
  eventConsumer({
    consumer: 'ledger',
    apply: recordLedgerUseCase({ store: ledgerStore() }),
    reporter: completionReporter(),
    logger: observability.logger,
  }),
  observability,
);
