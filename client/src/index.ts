export {
  newIdempotencyKey,
  PaymentsClient,
  type PaymentsClientOptions,
  type RawAnswer,
  type RawRequest,
  type WaitOptions,
} from './client';
export { PaymentsApiError, PaymentsNetworkError, SettlementTimeoutError } from './errors';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
export { type Credentials, type CredentialsProvider, regionOfUrl, signRequest } from './signing';
export type * from './types';
