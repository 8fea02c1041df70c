/**
 * Who may call what (the API's trust boundaries), shared by the CDK constructs and the local front
 * door so both refuse alike. Pure data and functions: no CDK or SDK imports.
 */
import type { Problem } from '../lambdas/shared/http';
import type { CallerKind } from './topology';

/** A caller that signs its requests. */
export type SignedCallerKind = Exclude<CallerKind, 'public'>;

/** Whether a signed caller of `kind` may call a route open to `route` callers (an operator may call everything). */
export function mayCall(kind: SignedCallerKind, route: CallerKind): boolean {
  return route === 'public' || route === kind || kind === 'operator';
}

export type GatewayRefusalCode =
  | 'AUTHENTICATION_REQUIRED'
  | 'INVALID_SIGNATURE'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'REQUEST_TOO_LARGE';

/** The front door's own refusals, answered before any handler runs (API Gateway: gateway responses). */
export const GATEWAY_REFUSALS: Readonly<Record<GatewayRefusalCode, Problem>> = {
  AUTHENTICATION_REQUIRED: {
    status: 403,
    code: 'AUTHENTICATION_REQUIRED',
    title: 'Authentication required',
    detail:
      'Sign the request with AWS Signature Version 4 (service execute-api). API Gateway also answers this for a route that does not exist.',
  },
  INVALID_SIGNATURE: {
    status: 403,
    code: 'INVALID_SIGNATURE',
    title: 'Invalid signature',
    detail:
      'The SigV4 signature does not match the request, names unknown credentials, or was made more than 15 minutes away from the server clock.',
  },
  ACCESS_DENIED: {
    status: 403,
    code: 'ACCESS_DENIED',
    title: 'Access denied',
    detail: 'These credentials may not call this route.',
  },
  THROTTLED: {
    status: 429,
    code: 'THROTTLED',
    title: 'Too many requests',
    detail: 'The request rate is above the API limit; retry with exponential backoff.',
  },
  REQUEST_TOO_LARGE: {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    title: 'Request too large',
    detail: 'The request body is above the API limit of 10 MB.',
  },
};
