import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventIdentity, APIGatewayProxyResult } from 'aws-lambda';
import { problemOutcome, toProxyResult } from '../../lambdas/shared/http';
import type { CallerKind } from '../../lib/topology';
import { GATEWAY_REFUSALS, type GatewayRefusalCode, mayCall } from '../../lib/trust-boundaries';
import { type LocalPrincipal, verifySignature } from './sigv4';

export interface CallerAuthConfig {
  readonly principals: readonly LocalPrincipal[];
  readonly region: string;
}

export type CallerAccess =
  | { readonly ok: true; readonly identity: Partial<APIGatewayEventIdentity> }
  | { readonly ok: false; readonly result: APIGatewayProxyResult };

/**
 * The front door's authorization step, as API Gateway runs it for `AWS_IAM` methods: public routes
 * pass unsigned; every other route needs a valid signature of a principal allowed on it. The caller's
 * identity goes where API Gateway puts it, so handlers read it the same way in both runtimes.
 */
function refused(code: GatewayRefusalCode): CallerAccess {
  return { ok: false, result: toProxyResult(problemOutcome(GATEWAY_REFUSALS[code])) };
}

export async function authorizeCaller(
  routeCaller: CallerKind,
  request: IncomingMessage,
  query: URLSearchParams,
  body: string,
  config: CallerAuthConfig,
): Promise<CallerAccess> {
  if (routeCaller === 'public') return { ok: true, identity: {} };
  const verification = await verifySignature(
    {
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0] ?? '/',
      query,
      headers: request.headers,
      body,
    },
    config.principals,
    config.region,
  );
  if (!verification.ok) return refused(verification.refusal);
  if (!mayCall(verification.principal.kind, routeCaller)) return refused('ACCESS_DENIED');
  const { principal } = verification;
  return {
    ok: true,
    identity: {
      accessKey: principal.accessKeyId,
      accountId: principal.userArn.split(':')[4] ?? null,
      caller: `local-${principal.kind}`,
      user: `local-${principal.kind}`,
      userArn: principal.userArn,
    },
  };
}
