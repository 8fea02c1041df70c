import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Caller } from '../domain/ownership';
import { problemOutcome } from './http';
import type { Parsed } from './request';

/**
 * The signed caller, as API Gateway reports an IAM-authorized request (`requestContext.identity.userArn`);
 * the local front door fills in the same field. Every session of one IAM role is one principal, so an
 * assumed-role ARN drops its session name: a shop's retries from a new session stay the same caller.
 */
export function callerPrincipal(event: APIGatewayProxyEvent): Parsed<string> {
  const arn = event.requestContext?.identity?.userArn;
  if (!arn) {
    return {
      ok: false,
      outcome: problemOutcome({
        status: 403,
        code: 'AUTHENTICATION_REQUIRED',
        title: 'Authentication required',
        detail: 'This route serves signed callers only.',
      }),
    };
  }
  const role = /^(arn:[^:]+:sts::\d*:assumed-role\/[^/]+)\/.+$/.exec(arn)?.[1];
  return { ok: true, value: role ?? arn };
}

/**
 * `OPERATOR_PRINCIPALS` (comma-separated ARNs of IAM users or roles) as the principals callers are
 * known by: a role `arn:aws:iam::<account>:role/<path/>name` is `arn:aws:sts::<account>:assumed-role/name`
 * once assumed, which is what API Gateway reports.
 */
export function operatorPrincipals(configured: string | undefined): ReadonlySet<string> {
  const principals = (configured ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((arn) => {
      const role = /^arn:([^:]+):iam::(\d*):role\/(?:.*\/)?([^/]+)$/.exec(arn);
      return role ? `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}` : arn;
    });
  return new Set(principals);
}

/** The signed caller and whether it is an operator (who may read and cancel every shop's orders). */
export function signedCaller(event: APIGatewayProxyEvent): Parsed<Caller> {
  const principal = callerPrincipal(event);
  if (!principal.ok) return principal;
  const operator = operatorPrincipals(process.env.OPERATOR_PRINCIPALS).has(principal.value);
  return { ok: true, value: { principal: principal.value, operator } };
}

/** A client's Idempotency-Key made distinct per principal (short, for keys passed on to the PSP). */
export function scopedKey(principal: string, key: string): string {
  return `${createHash('sha256').update(principal).digest('hex').slice(0, 16)}-${key}`;
}
