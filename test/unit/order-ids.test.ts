import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { orderIdFor } from '../../lambdas/application/checkout';
import { callerPrincipal, scopedKey } from '../../lambdas/shared/caller';
import { localOrderIdSecret } from '../../local/runtime/order-id-secret';

const eventBy = (userArn?: string) =>
  ({ requestContext: { identity: { userArn: userArn ?? null } } }) as unknown as APIGatewayProxyEvent;

describe('orderIdFor', () => {
  it('depends on the secret, the caller and the key, and on nothing else', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (secretA, secretB, principal, key) => {
        const id = orderIdFor(secretA, principal, key);
        expect(orderIdFor(secretA, principal, key)).toBe(id);
        if (secretA !== secretB) expect(orderIdFor(secretB, principal, key)).not.toBe(id);
        expect(orderIdFor(secretA, `${principal}x`, key)).not.toBe(id);
        expect(orderIdFor(secretA, principal, `${key}x`)).not.toBe(id);
      }),
    );
  });
});

describe('callerPrincipal', () => {
  it('is the IAM user ARN, and one principal for every session of an assumed role', () => {
    expect(callerPrincipal(eventBy('arn:aws:iam::123456789012:user/shop'))).toEqual({
      ok: true,
      value: 'arn:aws:iam::123456789012:user/shop',
    });
    const sessions = ['a', 'botocore-session-1'].map((session) =>
      callerPrincipal(eventBy(`arn:aws:sts::123456789012:assumed-role/ShopRole/${session}`)),
    );
    expect(sessions).toEqual([
      { ok: true, value: 'arn:aws:sts::123456789012:assumed-role/ShopRole' },
      { ok: true, value: 'arn:aws:sts::123456789012:assumed-role/ShopRole' },
    ]);
  });

  it('refuses a request without a signed caller with 403', () => {
    const result = callerPrincipal(eventBy());
    expect(result.ok ? undefined : result.outcome.statusCode).toBe(403);
  });

  it('scopes keys apart per principal', () => {
    expect(scopedKey('arn:a', 'key-0001')).not.toBe(scopedKey('arn:b', 'key-0001'));
    expect(scopedKey('arn:a', 'key-0001')).toMatch(/^[0-9a-f]{16}-key-0001$/);
  });
});

describe('localOrderIdSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'order-id-secret-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is generated once into the data folder, owner-only, and kept across restarts', async () => {
    const first = await localOrderIdSecret(dir);
    expect(await localOrderIdSecret(dir)).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(dir, 'order-id-secret'))).mode & 0o077).toBe(0);
  });

  it('is a new one per run in memory', async () => {
    expect(await localOrderIdSecret(undefined)).not.toBe(await localOrderIdSecret(undefined));
  });
});
