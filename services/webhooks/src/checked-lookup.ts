import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { IesError } from '@ies/errors';
import { addressRefusal, type AddressPolicy } from './domain/webhook-address.js';

/** Every address of a name (tests pass their own; the default asks the system resolver). */
export type Resolve = (hostname: string, family: number) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname, family) => dnsLookup(hostname, { all: true, family });

function forbidden(hostname: string, why: string): IesError {
  return new IesError('IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN', `webhook host ${hostname} resolves to ${why}; webhooks go to public addresses only (an operator may allow networks with IES_WEBHOOK_ALLOWED_NETWORKS)`, { details: { host: hostname } });
}

function refusalOf(addresses: readonly LookupAddress[], policy: AddressPolicy): string | undefined {
  for (const a of addresses) {
    const why = addressRefusal(a.address, policy);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * A `lookup` for http(s).request that resolves the name, refuses it when any address is
 * not allowed, and hands the connection exactly the addresses it checked. The check and
 * the connect use one resolution, so a name that changes its answer between the two (DNS
 * rebinding) cannot slip an internal address past it.
 */
export function checkedLookup(policy: AddressPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    const answer = callback as unknown as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    resolve(hostname, family).then(
      (addresses) => {
        const why = addresses.length === 0 ? 'no address' : refusalOf(addresses, policy);
        if (why !== undefined) return answer(forbidden(hostname, why), '', 0);
        if (options.all) return answer(null, addresses);
        answer(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: Error) => answer(err, '', 0),
    );
  };
}

/**
 * At registration: resolves a webhook's host name and refuses it when any address is not
 * allowed. A name that does not resolve (yet) is let through: it can reach nothing now, and
 * every delivery resolves and checks again.
 */
export async function checkResolvedHost(hostname: string, policy: AddressPolicy, timeoutMs: number, resolve: Resolve = systemResolve): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolve(hostname, 0).catch(() => undefined),
    new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), timeoutMs); }),
  ]);
  clearTimeout(timer);
  const why = addresses === undefined ? undefined : refusalOf(addresses, policy);
  if (why !== undefined) throw forbidden(hostname, why);
}
