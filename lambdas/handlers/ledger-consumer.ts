import { recordLedgerUseCase } from '../application/record-ledger';
import { completionReporter, ledgerStore } from '../shared/composition';
import { eventConsumer } from '../shared/event-consumer';
import { logger } from '../shared/observability';

/** Ledger queue (FIFO) → double-entry journal, then a completion report. */
export const handler = eventConsumer({
  consumer: 'ledger',
  apply: recordLedgerUseCase({ store: ledgerStore() }),
  reporter: completionReporter(),
  logger,
});
