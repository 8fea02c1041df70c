import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS credentials, as the SDK's providers return them. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export type CredentialsProvider = () => Promise<Credentials>;

/** API Gateway's service name in SigV4 scopes. */
const SERVICE = 'execute-api';

/** The region an execute-api host names, else the fallback (the local stack signs for AWS_REGION or us-east-1). */
export function regionOfUrl(url: URL, fallback: string): string {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? fallback;
}

export interface RequestToSign {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * The request's headers plus SigV4's (Authorization, X-Amz-Date, X-Amz-Content-Sha256, and
 * X-Amz-Security-Token for temporary credentials). Host is signed but left out: fetch sets it from the URL.
 */
export async function signRequest(
  request: RequestToSign,
  credentials: Credentials | CredentialsProvider,
  region: string,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const { method, url, headers, body } = request;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signer = new SignatureV4({ credentials, region, service: SERVICE, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate },
  );
  const { host: _host, ...rest } = signed.headers;
  return rest;
}
