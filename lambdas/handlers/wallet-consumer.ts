import { settleWalletUseCase } from '../application/settle-wallet';
import { systemClock, walletStore } from '../shared/composition';
import { eventConsumer } from '../shared/event-consumer';
import { observed } from '../shared/observability';
import { completionReporter } from '../shared/queues';
import { telemetry } from '../shared/telemetry';

const observability = telemetry();

/** Wallet queue (FIFO) → sellers' balances, then a completion report. */
export const handler = observed(
  eventConsumer({
    consumer: 'wallet',
    apply: settleWalletUseCase({ store: walletStore(), clock: systemClock }),
    reporter: completionReporter(),
    logger: observability.logger,
  }),
  observability,
);
