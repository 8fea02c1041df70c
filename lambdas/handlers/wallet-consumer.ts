import { settleWalletUseCase } from '../application/settle-wallet';
import { completionReporter, systemClock, walletStore } from '../shared/composition';
import { eventConsumer } from '../shared/event-consumer';
import { logger } from '../shared/observability';

/** Wallet queue (FIFO) → sellers' balances, then a completion report. */
export const handler = eventConsumer({
  consumer: 'wallet',
  apply: settleWalletUseCase({ store: walletStore(), clock: systemClock }),
  reporter: completionReporter(),
  logger,
});
