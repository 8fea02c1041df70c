import type { components, operations } from './openapi';

/** The contract's shapes, taken from the generated OpenAPI types so they cannot drift from docs/openapi.yaml. */
type Schemas = components['schemas'];

export type CheckoutRequest = Schemas['CheckoutRequest'];
export type Checkout = Schemas['Checkout'];
export type ConfirmRequest = Schemas['ConfirmRequest'];
export type Confirmed = Schemas['Confirmed'];
export type Unknown = Schemas['Unknown'];
export type CancelRequest = Schemas['CancelRequest'];
export type Canceled = Schemas['Canceled'];
export type PaymentView = Schemas['PaymentView'];
export type PaymentStatus = Schemas['Status'];
export type Problem = Schemas['Problem'];
type Json<Operation extends keyof operations> = operations[Operation]['responses'] extends {
  200: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
export type Wallet = Json<'getWallet'>;
export type TrialBalance = Json<'getTrialBalance'>;
export type Health = Json<'health'>;

/** A decline: a problem+json 402 (deploys before it sent a plain JSON body with the same fields). */
export interface Declined {
  readonly orderId: string;
  readonly status: 'FAILURE';
  readonly code: string;
  readonly message?: string;
}

/** What a confirm can end in without an error: approved, declined, or not known yet (recovery continues). */
export type ConfirmOutcome = Confirmed | Declined | Unknown;

/** What a cancel can end in without an error: canceled (fully or partly), or not known yet. */
export type CancelOutcome = Canceled | Unknown;
