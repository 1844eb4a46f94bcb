import { randomUUID } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { createMetricsRegistry } from '@ies/observability';
import { RegistryState, materialiseRegistry, readOperatorKeys } from '@ies/registry';
import { BatchVerifier } from '@ies/registry/verify-batch';
import { startRuntime } from '@ies/runtime';
import { Loader, type LoaderOptions } from './loader.js';
import { createLoaderMetrics } from './metrics.js';
import { migrateLoaderTables } from './migrate.js';

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
  const registry = new RegistryState();
  const view = await materialiseRegistry(kafka, serde, registry, config.tenants, `${config.nodeId}-loader-${randomUUID()}`, {
    operatorJwksFile: config.auth.operatorJwksFile,
    onRefused: (r) => logger.warn({ refused: r }, 'registry record refused: not an operator-signed document of this tenant'),
  });
  await view.ready;
  const clickhouse = createClickHouse(config);
  const metrics = createMetricsRegistry('loader');
  const loader = new Loader({ kafka, serde, clickhouse, tenants: config.tenants, batchVerifier: new BatchVerifier(registry, view), log: logger, metrics: createLoaderMetrics(metrics), options });
  await loader.start();
  logger.info({ tenants: config.tenants }, 'loader running');
  return {
    loader,
    metrics,
    /** Rejects when ClickHouse refuses rows for good; the process should exit and be restarted after a fix. */
    failed: loader.failed,
    stop: async () => {
      await loader.stop();
      await view.stop();
      await runtime.stop();
      await clickhouse.close();
    },
  };
}
