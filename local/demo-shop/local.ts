import type { LocalPrincipal } from '../runtime/sigv4';
import { type DemoShop, startDemoShop } from './server';

/**
 * The demo shop beside the local API: it signs as the local shop principal (and reads seller wallets
 * as the operator). The buyer pays in the PSP simulator's window, or in Toss's own when
 * `TOSS_CLIENT_KEY` is set (the API then has to confirm against Toss as well).
 */
export function startLocalDemoShop(
  port: number,
  apiUrl: string,
  pspUrl: string,
  auth: { readonly principals: readonly LocalPrincipal[]; readonly region: string },
  env: NodeJS.ProcessEnv,
): Promise<DemoShop> {
  const shop = auth.principals.find((principal) => principal.kind === 'shop');
  if (!shop) throw new Error('the demo shop needs a local shop principal');
  return startDemoShop({
    port,
    apiUrl,
    shop,
    operator: auth.principals.find((principal) => principal.kind === 'operator'),
    region: auth.region,
    window: env.TOSS_CLIENT_KEY ? { tossClientKey: env.TOSS_CLIENT_KEY } : { simulatorUrl: pspUrl },
  });
}
