import fc from 'fast-check';
import {
  everyPrincipal,
  type LocalPrincipal,
  localPrincipals,
  type ReceivedRequest,
  sigv4Signer,
  verifySignature,
} from '../../local/runtime/sigv4';

const REGION = 'us-east-1';
const NOW = new Date('2026-12-01T10:00:00Z');
const principals = localPrincipals({});
const all = everyPrincipal(principals);

interface Draft {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const draft: Draft = {
  method: 'POST',
  path: '/payments/ord_1/cancel',
  query: { verbose: 'yes' },
  headers: { 'content-type': 'application/json', 'idempotency-key': 'cancel-0001' },
  body: '{"cancelReason":"changed my mind"}',
};

/** Signs `draft` as a client would and returns it as the front door receives it. */
async function received(
  request: Draft,
  principal: Pick<LocalPrincipal, 'accessKeyId' | 'secretAccessKey'> = principals.shop,
  options: { signingDate?: Date; region?: string } = {},
): Promise<ReceivedRequest> {
  const signed = await sigv4Signer(principal, options.region ?? REGION).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: 'localhost',
      path: request.path,
      query: request.query,
      headers: { ...request.headers, host: 'localhost:3000' },
      body: request.body,
    },
    { signingDate: options.signingDate ?? NOW },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { ...request, query: new URLSearchParams(request.query), headers };
}

const verify = (request: ReceivedRequest) => verifySignature(request, all, REGION, NOW);

describe('SigV4 verification of the local front door', () => {
  it('accepts a request signed by a known principal and names that principal', async () => {
    expect(await verify(await received(draft))).toEqual({ ok: true, principal: principals.shop });
    expect(await verify(await received(draft, principals.operator))).toEqual({
      ok: true,
      principal: principals.operator,
    });
  });

  it('asks for authentication when there is no Authorization header', async () => {
    const { authorization: _, ...headers } = (await received(draft)).headers;
    expect(await verify({ ...(await received(draft)), headers })).toEqual({
      ok: false,
      refusal: 'AUTHENTICATION_REQUIRED',
    });
  });

  it.each([
    ['a wrong secret', () => received(draft, { ...principals.shop, secretAccessKey: 'guess' })],
    ['an unknown access key', () => received(draft, { accessKeyId: 'SOMEONE', secretAccessKey: 'x' })],
    ['another region', () => received(draft, principals.shop, { region: 'eu-west-1' })],
    [
      'a date 15 min + 1 s ago',
      () => received(draft, principals.shop, { signingDate: new Date(NOW.getTime() - 901_000) }),
    ],
    [
      'a date 15 min + 1 s ahead',
      () => received(draft, principals.shop, { signingDate: new Date(NOW.getTime() + 901_000) }),
    ],
  ])('refuses %s as INVALID_SIGNATURE', async (_label, make) => {
    expect(await verify(await make())).toEqual({ ok: false, refusal: 'INVALID_SIGNATURE' });
  });

  it('accepts a date just inside the 15 minute skew', async () => {
    const request = await received(draft, principals.shop, {
      signingDate: new Date(NOW.getTime() - 899_000),
    });
    expect((await verify(request)).ok).toBe(true);
  });

  it('refuses any change to method, path, query, a signed header or the body after signing', async () => {
    const original = await received(draft);
    const tampered = fc.oneof(
      fc.constantFrom('GET', 'PUT', 'DELETE').map((method) => ({ ...original, method })),
      fc
        .string({ minLength: 1 })
        .map((s) => ({ ...original, path: `${original.path}${encodeURIComponent(s)}` })),
      fc.string().map((s) => ({ ...original, query: new URLSearchParams({ verbose: `yes${s}x` }) })),
      fc
        .string({ minLength: 1 })
        // Trailing whitespace is not part of a header's canonical value, so it is no tampering.
        .filter((s) => s.trimEnd() === s)
        .map((s) => ({
          ...original,
          headers: { ...original.headers, 'idempotency-key': `cancel-0001${s}` },
        })),
      fc.string({ minLength: 1 }).map((s) => ({ ...original, body: `${original.body}${s}` })),
      fc
        .nat({ max: original.body.length - 1 })
        .map((i) => ({ ...original, body: `${original.body.slice(0, i)}X${original.body.slice(i + 1)}` }))
        .filter((r) => r.body !== original.body),
    );
    await fc.assert(
      fc.asyncProperty(tampered, async (request) => {
        expect(await verify(request)).toEqual({ ok: false, refusal: 'INVALID_SIGNATURE' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('local principals', () => {
  it('default to the documented keys and take id:secret overrides', () => {
    expect(principals.shop).toMatchObject({
      accessKeyId: 'LOCALSHOPKEY',
      secretAccessKey: 'local-shop-secret',
    });
    expect(principals.operator).toMatchObject({
      accessKeyId: 'LOCALOPERATORKEY',
      secretAccessKey: 'local-operator-secret',
    });
    expect(localPrincipals({ LOCAL_OPERATOR_CREDENTIALS: 'OPS:s3:cr:et' }).operator).toMatchObject({
      accessKeyId: 'OPS',
      secretAccessKey: 's3:cr:et',
    });
  });

  it('take several shops as a comma-separated list, each its own principal; one pair still works', () => {
    const several = localPrincipals({ LOCAL_SHOP_CREDENTIALS: 'SHOPA:a-secret, SHOPB:b:secret' });
    expect(several.shops).toEqual([
      expect.objectContaining({ kind: 'shop', accessKeyId: 'SHOPA', secretAccessKey: 'a-secret' }),
      expect.objectContaining({ kind: 'shop', accessKeyId: 'SHOPB', secretAccessKey: 'b:secret' }),
    ]);
    expect(several.shops.map((p) => p.userArn)).toEqual([
      'arn:aws:iam::000000000000:user/local-shop',
      'arn:aws:iam::000000000000:user/local-shop-2',
    ]);
    expect(several.shop).toBe(several.shops[0]);
    expect(everyPrincipal(several)).toHaveLength(3);
    expect(localPrincipals({ LOCAL_SHOP_CREDENTIALS: 'ONE:secret' }).shops).toEqual([
      expect.objectContaining({ accessKeyId: 'ONE', userArn: 'arn:aws:iam::000000000000:user/local-shop' }),
    ]);
  });

  it('refuse two principals with one access key id', () => {
    expect(() => localPrincipals({ LOCAL_SHOP_CREDENTIALS: 'SAME:a,SAME:b' })).toThrow(/own access key id/);
    expect(() =>
      localPrincipals({ LOCAL_SHOP_CREDENTIALS: 'SAME:a', LOCAL_OPERATOR_CREDENTIALS: 'SAME:b' }),
    ).toThrow(/own access key id/);
  });

  it.each(['nocolon', ':secret', 'id:', 'A:a,', 'A:a,B'])('refuse a malformed override %p', (value) => {
    expect(() => localPrincipals({ LOCAL_SHOP_CREDENTIALS: value })).toThrow(/LOCAL_SHOP_CREDENTIALS/);
  });
});
