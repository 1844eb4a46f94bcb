import { createClickHouse } from '@ies/clickhouse';
import { createMetricsRegistry } from '@ies/observability';
import { openRegistry, readOperatorKeys } from '@ies/registry';
import { BatchVerifier, loadCredentialContexts } from '@ies/registry/verify-batch';
import { startRuntime } from '@ies/runtime';
import { Loader, type LoaderOptions } from './loader.js';
import { createLoaderMetrics } from './metrics.js';
import { migrateLoaderTables } from './migrate.js';
import { backfillReadDays } from './read-days-backfill.js';
import { backoffMs, sleep } from './retry.js';

/**
 * Runs the loader for the node's tenants: applies the ClickHouse migrations, makes sure
 * the tenants' topics exist, then consumes (group `ies-loader` unless `options.groupId`).
 */
export async function startLoaderService(env: Readonly<Record<string, string | undefined>>, options: Partial<LoaderOptions> = {}) {
  const runtime = await startRuntime(env, { principal: 'loader' });
  const { config, logger, kafka, serde } = runtime;
  const migrations = await migrateLoaderTables(config);
  logger.info({ database: config.clickhouse.database, applied: migrations.applied.map((m) => `${m.version}_${m.name}`), upToDate: migrations.skipped.length }, 'ClickHouse tables ready');
  // The registry view every batch is re-verified against (signed documents only).
  // Without the operator's keys no registry document verifies and no batch could: refuse to start.
  await readOperatorKeys(config.auth.operatorJwksFile);
  // Credentials are re-verified with the contexts the gateway accepted them with; a bad directory stops the start.
  const contexts = loadCredentialContexts(config.credentials.contextsDir);
  for (const c of contexts.operator) logger.info({ context: c.url, file: c.file }, 'operator JSON-LD context loaded');
  const { registry, view } = await openRegistry(kafka, serde, { tenants: config.tenants, nodeId: config.nodeId, service: 'loader', operatorJwksFile: config.auth.operatorJwksFile, logger });
  const clickhouse = createClickHouse(config);
  const metrics = createMetricsRegistry('loader');
  const loaderOptions = { maxInFlightInserts: config.loader.insertsInFlight, ...options };
  const loader = new Loader({ kafka, serde, clickhouse, tenants: config.tenants, batchVerifier: new BatchVerifier(registry, view, Date.now, contexts), log: logger, metrics: createLoaderMetrics(metrics), options: loaderOptions });
  await loader.start();
  logger.info({ tenants: config.tenants, insertsInFlight: loaderOptions.maxInFlightInserts }, 'loader running');
  // read_days is answered from once it is whole (src/read-days-backfill.ts): copy what was
  // stored before its view, in the background; a failure is retried from where it stopped,
  // after 1 minute, then longer (up to 30).
  const stopping = new AbortController();
  const backfill = (async () => {
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      try {
        const done = await backfillReadDays(config, { signal: stopping.signal, onDay: (n, of) => { if (n === of || n % 30 === 0) logger.info({ days: n, of }, 'read_days: copying the reads stored before its view'); } });
        if (!done.alreadyWhole) logger.info({ days: done.days, copied: done.copied }, 'read_days is whole: DR history reads it from now on');
        return;
      } catch (err) {
        if (stopping.signal.aborted) return;
        const waitMs = backoffMs(attempt, { initialMs: 60_000, maxMs: 1_800_000 });
        logger.warn({ err: (err as Error).message, retryInMs: waitMs }, 'read_days backfill failed; it resumes later (history is read from reads meanwhile)');
        await sleep(waitMs, stopping.signal);
      }
    }
  })();
  return {
    loader,
    metrics,
    /** Rejects when ClickHouse refuses rows for good; the process should exit and be restarted after a fix. */
    failed: loader.failed,
    stop: async () => {
      stopping.abort();
      await backfill;
      await loader.stop();
      await view.stop();
      await runtime.stop();
      await clickhouse.close();
    },
  };
}
