import { loadConfig } from '@ies/config';
import { provisionTenants } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { parseArgs } from './args.js';

type Env = Readonly<Record<string, string | undefined>>;

const USAGE = `usage: ies tenants provision [DISCOM…]

Creates each DISCOM's Kafka topics and the ACLs that give every service's Kafka user the
topics, consumer groups and transactional ids it needs (services/contracts/src/kafka-acls.ts).
Runs as the Kafka admin user (its password from IES_SECRETS_DIR, .stack/secrets by default).
Without DISCOM ids, provisions IES_TENANTS. Idempotent.`;

/** `ies tenants provision …`: the operator's (and the demo's) way to add a tenant. */
export async function runTenants(argv: readonly string[], env: Env): Promise<number> {
  const args = parseArgs(argv);
  const [sub, ...discoms] = args.positional;
  if (sub !== 'provision' || args.options.has('help')) {
    console.log(USAGE);
    return sub === undefined || args.options.has('help') ? 0 : 2;
  }
  const config = loadConfig(env, { principal: 'admin' });
  const tenants = discoms.length > 0 ? discoms : config.tenants;
  const results = await provisionTenants(config, tenants, createLogger({ name: 'ies-tenants', level: 'fatal' }));
  for (const r of results) console.log(`${r.discom}: ${r.created.length} topic(s) created, ${r.existing.length} already there; ${r.acls} ACLs for node ${config.nodeId}`);
  return 0;
}
