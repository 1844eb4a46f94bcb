import type { Config } from '@ies/config';
import type { Logger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { openRegistry, readOperatorKeys } from '@ies/registry';
import { BatchVerifier, loadCredentialContexts } from '@ies/registry/verify-batch';
import { startRuntime } from '@ies/runtime';
import { NotaryKeyFile } from './keys.js';
import { LogStore } from './log-store.js';
import { startTenantNotary, type NotaryObserver, type TenantNotary } from './notary.js';
import { startWitnessing } from './witnessing.js';

/** A tenant's log origin (checkpoint origin line and note key name). */
export function logOrigin(config: Config, discomId: string): string {
  return `${config.notary.originPrefix}/${discomId}`;
}

/**
 * The note verifier keys (vkeys) of a tenant's log, its key file created as the notary's first
 * start would: what the peers whose witnesses watch this log are configured with.
 */
export async function logVerifierKeys(config: Config, discomId: string): Promise<readonly string[]> {
  return (await new NotaryKeyFile(config.notary.keysDir, logOrigin(config, discomId), discomId, { mlDsa44: config.notary.mlDsa44 }).current()).verifierKeys;
}

/**
 * Runs one log writer per tenant of the node. Exactly one notary process per tenant may
 * run: a second one fences the first (per-tenant transactional id), which then exits.
 */
export async function startNotaryService(env: Readonly<Record<string, string | undefined>>, hooks: { onFatal?: (err: Error) => void; logger?: Logger; observer?: NotaryObserver } = {}) {
  const runtime = await startRuntime(env, { principal: 'notary', ...(hooks.logger ? { logger: hooks.logger } : {}) });
  const { config, logger, kafka, admin, serde } = runtime;
  const redis = createRedis(config, { failFast: false });
  const observer = hooks.observer;
  const onFatal =
    hooks.onFatal ??
    ((err: Error) => {
      logger.fatal({ err }, 'notary stopping: it must restart to recover its log from receipts.v1');
      process.exit(1);
    });
  // The registry view every batch is re-verified against (signed documents only).
  // Without the operator's keys no registry document verifies and no batch could: refuse to start.
  await readOperatorKeys(config.auth.operatorJwksFile);
  // Credentials are re-verified with the contexts the gateway accepted them with; a bad directory stops the start.
  const contexts = loadCredentialContexts(config.credentials.contextsDir);
  for (const c of contexts.operator) logger.info({ context: c.url, file: c.file }, 'operator JSON-LD context loaded');
  const { registry, view } = await openRegistry(kafka, serde, { tenants: config.tenants, nodeId: config.nodeId, service: 'notary', operatorJwksFile: config.auth.operatorJwksFile, logger });
  const verifier = new BatchVerifier(registry, view, Date.now, contexts);
  const tenants: TenantNotary[] = [];
  for (const discomId of config.tenants) {
    const origin = logOrigin(config, discomId);
    tenants.push(
      await startTenantNotary({ kafka, admin, serde, store: new LogStore(redis, discomId), keys: new NotaryKeyFile(config.notary.keysDir, origin, discomId, { mlDsa44: config.notary.mlDsa44 }), discomId, origin, intervalMs: config.notary.checkpointIntervalMs, logger: logger.child({ discomId }), verifier, ...(observer ? { observer } : {}), onFatal }),
    );
  }
  // Each new checkpoint goes to the tenant's witnesses (if any), off the append path.
  const witnessing = startWitnessing({ config, redis, stores: (discomId) => new LogStore(redis, discomId), logger: logger.child({ part: 'witnessing' }) });
  return {
    tenants,
    witnessing,
    stop: async () => {
      await witnessing.stop();
      for (const t of tenants) await t.stop();
      await view.stop();
      await runtime.stop();
      redis.disconnect();
    },
  };
}

