import { createClickHouse } from '@ies/clickhouse';
import { migrateSettlementTables } from './migrate.js';
import { LogStore } from '@ies/notary/log';
import type { Logger } from '@ies/observability';
import { everyTenant, STORE_WATCH_MS } from '@ies/http';
import { createRedis } from '@ies/redis';
import { openRegistry } from '@ies/registry';
import { startRuntime } from '@ies/runtime';
import { P2pStore } from './p2p-store.js';
import { Reconciler } from './reconciler.js';
import { settlementStoreRebuilder } from './p2p-store-rebuild.js';
import { SettlementKeys } from './settlement-keys.js';
import { startSidesConsumer } from './sides-consumer.js';
import { SideExchange } from './side-exchange.js';
import { startTradesLoader } from './trades-loader.js';
import { DrEventStore } from '@ies/dr/events';
import { drSourceOf } from './dr-source.js';
import { startStatementWorker } from './statement-worker.js';
import { DeskStoreRebuilder } from './desk-store-rebuild.js';
import { StatementStore } from './statement-store.js';
import { DisputeStore } from './dispute-store.js';

/**
 * The settlement service: P2P reconciliation of every hosted DISCOM (a periodic sweep),
 * the inter-DISCOM side exchange (p2p-sides.v1 in, deliveries out), p2p-trades.v1 into
 * ClickHouse, and the statement worker (bullmq: a repeatable sweep per DISCOM and one run
 * per due IST day and DR event). Any number of replicas: the consumers share groups, and the sweep's writes are
 * compare-and-set, so two replicas sweeping at once store each version once.
 */
export async function startSettlementService(env: Readonly<Record<string, string | undefined>>, hooks: { logger?: Logger; now?: () => number; sweepOnStart?: boolean } = {}) {
  const runtime = await startRuntime(env, { principal: 'settlement', ...(hooks.logger ? { logger: hooks.logger } : {}) });
  const { config, logger, kafka, admin, serde } = runtime;
  const now = hooks.now ?? Date.now;
  await migrateSettlementTables(config);
  const redis = createRedis(config);
  const producer = await runtime.producer();
  const ch = createClickHouse(config);
  const { registry, view } = await openRegistry(kafka, serde, { tenants: config.tenants, nodeId: config.nodeId, service: 'settlement', operatorJwksFile: config.auth.operatorJwksFile, logger });
  const keys = new SettlementKeys(redis, config.settlement.keysDir);
  for (const t of config.tenants) await keys.publish(t);
  const store = new P2pStore(redis, { producer, serde });
  // Redis may have come back empty: each DISCOM's P2P state is restored from its topics before
  // the sides consumer and the sweep use it, and checked again on every sweep.
  const rebuilder = settlementStoreRebuilder({ kafka, admin, serde, redis, registry, hosted: config.tenants, logger, groupPrefix: `${config.nodeId}-settlement-rebuild-` });
  // The desk's statements and disputes come back from statement_history and disputes.v1 the same way.
  const desk = new DeskStoreRebuilder({ kafka, admin, serde, redis, ch, statements: new StatementStore(redis), disputes: new DisputeStore(redis), logger, groupPrefix: `${config.nodeId}-settlement-desk-rebuild-` });
  const restore = async (t: string) => {
    try {
      await desk.ensure(t);
    } catch (err) {
      // Apart from the P2P store's: its rebuild goes on; the desk's is retried on the next check (and before every statement run).
      logger.warn({ err, tenant: t }, 'settlement desk rebuild failed; retried');
    }
    return rebuilder.ensure(t, async () => void (await keys.publish(t)));
  };
  for (const t of config.tenants) await restore(t);
  // The gateway refuses P2P trade writes while a marker is missing: look for a loss every 2 s.
  const watch = everyTenant({ config, logger }, STORE_WATCH_MS, 'P2P store check', restore);
  const reconciler = new Reconciler({
    store, ch, redis, keys, producer, serde, registry, hosted: config.tenants, now, logger,
    exchange: new SideExchange({ producer, serde, hosted: config.tenants, peerUrls: config.settlement.peerUrls, now }),
    logStore: (discomId) => new LogStore(redis, discomId),
    graceMs: config.settlement.reconcileGraceMs,
    lookbackDays: config.settlement.reconcileLookbackDays,
  });
  const sides = await startSidesConsumer({ kafka, serde, producer, reconciler, tenants: config.tenants, logger, now, groupId: `${config.nodeId}-settlement-sides` });
  const statements = await startStatementWorker({ config, connection: redis, producer, serde, ch, p2p: store, dr: drSourceOf(new DrEventStore(redis, producer, serde), ch), logger: logger.child({ part: 'statements' }), now, ensureDesk: (t) => desk.ensure(t) });
  const tradesLoader = await startTradesLoader({ kafka, serde, ch, tenants: config.tenants, groupId: `${config.nodeId}-settlement-trades` });
  let running: Promise<void> | undefined;
  const sweepAll = async () => {
    for (const t of config.tenants) {
      try {
        await restore(t);
        const report = await reconciler.sweep(t);
        if (report.sides > 0 || report.finals > 0) logger.info({ tenant: t, ...report }, 'P2P sweep');
      } catch (err) {
        logger.warn({ err, tenant: t }, 'P2P sweep failed; retried on the next tick');
      }
    }
  };
  const tick = () => {
    running ??= sweepAll().finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => void tick(), config.settlement.reconcileIntervalMs);
  if (hooks.sweepOnStart !== false) void tick();
  logger.info({ tenants: config.tenants, intervalMs: config.settlement.reconcileIntervalMs, graceMs: config.settlement.reconcileGraceMs, lookbackDays: config.settlement.reconcileLookbackDays }, 'P2P reconciliation running');
  return {
    config, store, reconciler, registry, statements, rebuilder, desk,
    /** Rebuilds the DISCOM's P2P store from its topics if its Redis state was lost (what start and each sweep do). */
    restore,
    /** Runs one sweep of every tenant now (and waits for a running one). */
    sweep: tick,
    stop: async () => {
      clearInterval(timer);
      watch.stop();
      await running;
      await statements.stop();
      await sides.disconnect();
      await tradesLoader.disconnect();
      await view.stop();
      await runtime.stop();
      await ch.close();
      redis.disconnect();
    },
  };
}
