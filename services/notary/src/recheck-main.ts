import { setPriority } from 'node:os';
import { buildHttpApp } from '@ies/http';
import { createMetricsRegistry, type Logger } from '@ies/observability';
import { openRegistry, readOperatorKeys } from '@ies/registry';
import { BatchVerifier, loadCredentialContexts } from '@ies/registry/verify-batch';
import { startRuntime } from '@ies/runtime';
import type { Registry } from 'prom-client';
import { startRechecker, type Rechecker } from './recheck.js';

/**
 * `ies-notary-recheck`: the notary's re-checker for every tenant of the node, in a process of
 * its own at a lower priority (IES_NOTARY_RECHECK_NICE, default 10), so the log writer's
 * sequential path stays O(1) per batch while every carried batch root (or
 * IES_NOTARY_RECHECK_PERCENT of them) is still recomputed from the reads and the reads from
 * the signed body. Serves /metrics, /healthz and /readyz on IES_HTTP_HOST:IES_HTTP_PORT
 * unless `listen` is false.
 */
export async function startRecheckService(env: Readonly<Record<string, string | undefined>>, hooks: { logger?: Logger; metrics?: Registry; listen?: boolean } = {}) {
  const runtime = await startRuntime(env, { principal: 'notary', ...(hooks.logger ? { logger: hooks.logger } : {}) });
  const { config, logger, kafka, serde } = runtime;
  try {
    setPriority(0, config.notary.recheckNice);
  } catch (err) {
    logger.warn({ err, nice: config.notary.recheckNice }, 'could not lower the re-checker priority; running at normal priority');
  }
  await readOperatorKeys(config.auth.operatorJwksFile);
  const contexts = loadCredentialContexts(config.credentials.contextsDir);
  const { registry, view } = await openRegistry(kafka, serde, { tenants: config.tenants, nodeId: config.nodeId, service: 'notary-recheck', operatorJwksFile: config.auth.operatorJwksFile, logger });
  const verifier = new BatchVerifier(registry, view, Date.now, contexts);
  const metrics = hooks.metrics ?? createMetricsRegistry('ies-notary-recheck');
  const checkers: Rechecker[] = [];
  for (const discomId of config.tenants) {
    checkers.push(await startRechecker({ kafka, serde, discomId, verifier, percent: config.notary.recheckPercent, logger: logger.child({ discomId, part: 'recheck' }), metrics }));
  }
  const app = hooks.listen === false ? undefined : buildHttpApp({ logger, metrics, readiness: runtime.readiness });
  const address = app ? await app.listen({ host: config.http.host, port: config.http.port }) : undefined;
  return {
    address,
    metrics,
    async stop() {
      await app?.close();
      for (const c of checkers) await c.stop();
      await view.stop();
      await runtime.stop();
    },
  };
}
