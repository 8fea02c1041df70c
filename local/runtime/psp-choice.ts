/** The simulator's own key: it accepts nothing else, and it is no secret. */
export const SIMULATOR_SECRET_KEY = 'test_sk_local_simulator';

export type PspChoice =
  | { readonly kind: 'simulator'; readonly secretKey: string }
  | {
      readonly kind: 'external';
      readonly baseUrl: string;
      readonly secretKey: string;
      /** What may be said about the key at start: its kind, never the key. */
      readonly keyDescription: string;
    };

/** A PSP setting `npm start` refuses; carries a message for people. */
export class PspChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PspChoiceError';
  }
}

/**
 * Which PSP the local stack uses: with `PSP_BASE_URL` set, that one (e.g. Toss's test mode,
 * `https://api.tosspayments.com` with a `test_sk_…` key) and no simulator; otherwise the simulator.
 */
export function choosePsp(env: NodeJS.ProcessEnv): PspChoice {
  const baseUrl = env.PSP_BASE_URL?.trim();
  const secretKey = env.PSP_SECRET_KEY?.trim();
  if (!baseUrl) return { kind: 'simulator', secretKey: secretKey || SIMULATOR_SECRET_KEY };
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new PspChoiceError(`PSP_BASE_URL is not a URL: ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PspChoiceError(`PSP_BASE_URL must be an http(s) URL, not ${url.protocol}.`);
  }
  if (!secretKey) {
    throw new PspChoiceError(
      'PSP_BASE_URL is set but PSP_SECRET_KEY is not: set the secret key of that PSP (for Toss test mode a test_sk_… key), or unset PSP_BASE_URL to use the simulator.',
    );
  }
  const keyDescription = secretKey.startsWith('test_')
    ? 'a test key'
    : 'NOT a test key: payments may move real money';
  return { kind: 'external', baseUrl: baseUrl.replace(/\/+$/, ''), secretKey, keyDescription };
}
