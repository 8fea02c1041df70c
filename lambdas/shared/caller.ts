import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
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

/** A client's Idempotency-Key made distinct per principal (short, for keys passed on to the PSP). */
export function scopedKey(principal: string, key: string): string {
  return `${createHash('sha256').update(principal).digest('hex').slice(0, 16)}-${key}`;
}
