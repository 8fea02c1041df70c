import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { GatewayRefusalCode, SignedCallerKind } from '../../lib/trust-boundaries';

/**
 * SigV4 for the local front door, on the SDK's own signer: the gateway recomputes the signature
 * of each received request with the named principal's secret and compares; clients sign with it.
 */

export const SIGNING_SERVICE = 'execute-api';
/** API Gateway's tolerance between the request's X-Amz-Date and the server clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export function signingRegion(env: NodeJS.ProcessEnv): string {
  return env.AWS_REGION || 'us-east-1';
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 (and HMAC-SHA-256 given a secret) from node:crypto, in the shape the signer takes. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export function sigv4Signer(
  credentials: Credentials | (() => Promise<Credentials>),
  region: string,
  options: { applyChecksum: boolean } = { applyChecksum: true },
): SignatureV4 {
  return new SignatureV4({
    credentials,
    region,
    service: SIGNING_SERVICE,
    sha256: NodeSha256,
    applyChecksum: options.applyChecksum,
  });
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** A principal of the local stack: what an IAM user or role is in AWS. */
export interface LocalPrincipal extends Credentials {
  readonly kind: SignedCallerKind;
  /** As API Gateway reports an IAM caller in `requestContext.identity.userArn`. */
  readonly userArn: string;
}

export const LOCAL_ACCOUNT = '000000000000';

const DEFAULT_CREDENTIALS: Readonly<
  Record<SignedCallerKind, { envVar: string; id: string; secret: string }>
> = {
  shop: { envVar: 'LOCAL_SHOP_CREDENTIALS', id: 'LOCALSHOPKEY', secret: 'local-shop-secret' },
  operator: { envVar: 'LOCAL_OPERATOR_CREDENTIALS', id: 'LOCALOPERATORKEY', secret: 'local-operator-secret' },
};

/** The local stack's principals: one or more shops (the first is `shop`) and the operator. */
export interface LocalPrincipals extends Readonly<Record<SignedCallerKind, LocalPrincipal>> {
  readonly shops: readonly LocalPrincipal[];
}

/** Every principal the front door knows. */
export function everyPrincipal(principals: LocalPrincipals): LocalPrincipal[] {
  return [...principals.shops, principals.operator];
}

/**
 * Defaults, or `LOCAL_SHOP_CREDENTIALS` = `id:secret[,id:secret...]` (several shops, each its own
 * principal: `local-shop`, `local-shop-2`, ...) and `LOCAL_OPERATOR_CREDENTIALS` = `id:secret`.
 */
export function localPrincipals(env: NodeJS.ProcessEnv): LocalPrincipals {
  const pairs = (kind: SignedCallerKind): { accessKeyId: string; secretAccessKey: string }[] => {
    const defaults = DEFAULT_CREDENTIALS[kind];
    const configured = env[defaults.envVar];
    if (configured === undefined) return [{ accessKeyId: defaults.id, secretAccessKey: defaults.secret }];
    const entries = kind === 'shop' ? configured.split(',').map((entry) => entry.trim()) : [configured];
    return entries.map((entry) => {
      const separator = entry.indexOf(':');
      if (separator < 1 || separator === entry.length - 1)
        throw new Error(
          `${defaults.envVar} must be <access key id>:<secret access key>${kind === 'shop' ? '[,<id>:<secret>...]' : ''}`,
        );
      return { accessKeyId: entry.slice(0, separator), secretAccessKey: entry.slice(separator + 1) };
    });
  };
  const arn = (name: string) => `arn:aws:iam::${LOCAL_ACCOUNT}:user/${name}`;
  const shops = pairs('shop').map(
    (pair, i): LocalPrincipal => ({
      kind: 'shop',
      ...pair,
      userArn: arn(i === 0 ? 'local-shop' : `local-shop-${i + 1}`),
    }),
  );
  const [operatorPair] = pairs('operator');
  const [shop] = shops;
  if (!shop || !operatorPair) throw new Error('the local stack needs a shop and an operator principal');
  const operator: LocalPrincipal = { kind: 'operator', ...operatorPair, userArn: arn('local-operator') };
  const ids = [...shops, operator].map((p) => p.accessKeyId);
  if (new Set(ids).size !== ids.length)
    throw new Error('every local principal (shops and operator) needs its own access key id');
  return { shop, operator, shops };
}

/** A request as received, before any decoding of its path. */
export interface ReceivedRequest {
  readonly method: string;
  /** Raw path as sent, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names, as Node parses them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type Verification =
  | { readonly ok: true; readonly principal: LocalPrincipal }
  | { readonly ok: false; readonly refusal: GatewayRefusalCode };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Checks a request's SigV4 signature as API Gateway does for `AWS_IAM` routes: known access key,
 * service and region of the scope, X-Amz-Date within 15 minutes, body hash, and the signature itself
 * recomputed with the principal's secret and compared in constant time.
 */
export async function verifySignature(
  request: ReceivedRequest,
  principals: readonly LocalPrincipal[],
  region: string,
  now: Date = new Date(),
): Promise<Verification> {
  const refuse = (refusal: GatewayRefusalCode): Verification => ({ ok: false, refusal });
  const authorization = single(request.headers.authorization);
  if (!authorization) return refuse('AUTHENTICATION_REQUIRED');
  const parsed = AUTHORIZATION.exec(authorization.trim());
  if (!parsed) return refuse('INVALID_SIGNATURE');
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList = '', signature = ''] = parsed;
  const principal = principals.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!principal || scopeRegion !== region || scopeService !== SIGNING_SERVICE)
    return refuse('INVALID_SIGNATURE');

  const signedHeaders = signedHeaderList.split(';');
  const amzDate = single(request.headers['x-amz-date']);
  const date = amzDate ? AMZ_DATE.exec(amzDate) : null;
  if (!date || !signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return refuse('INVALID_SIGNATURE');
  const [, year, month, day, hour, minute, second] = date;
  const signingDate = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  if (
    Number.isNaN(signingDate.getTime()) ||
    `${year}${month}${day}` !== scopeDate ||
    Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS
  )
    return refuse('INVALID_SIGNATURE');
  const declaredBodyHash = single(request.headers['x-amz-content-sha256']);
  if (declaredBodyHash !== undefined && declaredBodyHash !== sha256Hex(request.body))
    return refuse('INVALID_SIGNATURE');

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = single(request.headers[name]);
    if (value === undefined) return refuse('INVALID_SIGNATURE');
    headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const recomputed = await sigv4Signer(principal, region, { applyChecksum: false }).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: request.path,
      query,
      headers,
      body: request.body.length ? request.body : undefined,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(recomputed.headers.authorization ?? '')?.[1] ?? '';
  const matches =
    expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return matches ? { ok: true, principal } : refuse('INVALID_SIGNATURE');
}
