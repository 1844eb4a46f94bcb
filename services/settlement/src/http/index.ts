import { DrEventStore } from '@ies/dr/events';
import { everyTenant, type NodeContext, type ServiceHttp } from '@ies/http';
import { IesError } from '@ies/errors';
import { P2pStore } from '../p2p-store.js';
import { p2pStoreMarker } from '../p2p-store-rebuild.js';
import { settlementJwksEntries, trustedSettlementKeys } from '../settlement-keys.js';
import { StatementRunQueue } from '../statement-queue.js';
import { StatementSinks } from '../statement-sinks.js';
import { StatementStore } from '../statement-store.js';
import { relayStatementTransitions } from '../statement-status.js';
import { loadSettlementPolicies } from '../policies.js';
import { p2pRoutes } from './p2p-routes.js';
import { statementRoutes } from './statement-routes.js';
import { lineRoutes } from './line-routes.js';
import { disputeRoutes } from './dispute-routes.js';
import { DisputeStore } from '../dispute-store.js';
import { finalsAtCutoff } from '../finals-at-cutoff.js';
import { tradesAtCutoff } from '../trades-at-cutoff.js';
import { LogStore } from '@ies/notary/log';
import { locateRead } from '@ies/reads';
import { trustFromVerifierKeys } from '@ies/verify';

/** How often trade, dispute and statement status changes a crash left in an outbox (between Redis and Kafka) are sent. */
const OUTBOX_RELAY_MS = 5_000;

/**
 * Settlement's front door: P2P trade intake and reads, incoming peer sides, and the
 * statements of each hosted DISCOM (list, fetch, run, status changes), disputes. The outbox
 * relays (P2P trades, dispute transitions, statement status changes) and the statement run
 * queue's connection live while the front door is open; the
 * tenant's settlement keys go into its JWKS.
 */
export function settlementHttp(ctx: NodeContext): ServiceHttp {
  const { config, registry, redis, producer, serde, now } = ctx;
  const p2p = new P2pStore(redis, { producer, serde });
  const runs = new StatementRunQueue(redis);
  const trustedSideKeys = (receiver: string, sender: string) => trustedSettlementKeys(redis, registry, config.tenants, receiver, sender);
  const statements = { store: new StatementStore(redis), runs, sinks: new StatementSinks({ producer, serde, ch: ctx.clickhouse }) };
  const disputes = new DisputeStore(redis, { producer, serde });
  const relays = [
    everyTenant(ctx, OUTBOX_RELAY_MS, 'P2P trade outbox relay', (t) => p2p.relayTrades(t)),
    everyTenant(ctx, OUTBOX_RELAY_MS, 'dispute outbox relay', (t) => disputes.relay(t)),
    everyTenant(ctx, OUTBOX_RELAY_MS, 'statement status outbox relay', async (t) => {
      const { dropped } = await relayStatementTransitions(statements, t);
      if (dropped > 0) ctx.logger.error({ tenant: t, dropped }, 'statement status changes dropped from the outbox: their statements are no longer held');
    }),
  ];
  // A statement of a DR event is run only for an event the DISCOM holds.
  const drEvents = new DrEventStore(redis, producer, serde);
  const policies = loadSettlementPolicies(config.settlement.policiesDir || undefined);
  return {
    name: 'settlement',
    plugin: async (app) => {
      p2pRoutes(app, {
        config, registry, p2p, idempotency: ctx.idempotency, now,
        // A trade is stored for every hosted DISCOM with a meter on it: all must be whole.
        requireStoresWhole: async () => {
          const guarded = config.tenants.filter((t) => ctx.idempotency.guards(t));
          // One round trip: EXISTS counts the markers present.
          if (guarded.length === 0 || (await redis.exists(...guarded.map(p2pStoreMarker))) === guarded.length) return;
          const missing: string[] = [];
          for (const t of guarded) if ((await redis.exists(p2pStoreMarker(t))) === 0) missing.push(t);
          throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the P2P store of ${missing.join(', ') || guarded.join(', ')} is being rebuilt from its topics (Redis lost it); nothing was written, retry the request unchanged`, { details: { retryAfterSeconds: 2 } });
        },
        intake: { hosted: config.tenants, registry, store: p2p, backfillMs: config.settlement.tradeBackfillMs },
        sides: { hosted: config.tenants, store: p2p, producer, serde, trustedSideKeys, now },
      });
      statementRoutes(app, {
        config, registry, drEvents, statements, policies, idempotency: ctx.idempotency, now,
        reportInputs: {
          tradesForDay: (d, day) => p2p.tradesForDay(d, day),
          finalsForDay: (d, day) => p2p.finalsForDay(d, day),
          finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(ctx.clickhouse, (id) => p2p.getFinalRecord(d, id), d, ids, cutoffMs),
          tradesAt: async (d, day, cutoffMs) => tradesAtCutoff(ctx.clickhouse, await p2p.heldTradesForDay(d, day), d, cutoffMs),
        },
      });
      lineRoutes(app, { config, registry, now, store: statements.store, ch: ctx.clickhouse });
      disputeRoutes(app, {
        config, registry, idempotency: ctx.idempotency, now, policies, hosted: config.tenants,
        disputes, statements: statements.store, sinks: statements.sinks,
        tradesForDay: (d, day) => p2p.tradesForDay(d, day),
        evidence: {
          // Evidence is checked against the notary keys each hosted log publishes (GET /v1/log/key serves the same).
          trustOf: async (d) => {
            if (!config.tenants.includes(d)) return undefined;
            const keys = await new LogStore(redis, d).keys();
            return keys === undefined || keys.verifierKeys.length === 0 ? undefined : trustFromVerifierKeys(keys.verifierKeys);
          },
          hasRead: async (d, read) => (await locateRead(ctx.clickhouse, d, read)) !== undefined,
        },
      });
    },
    jwks: (discomId) => settlementJwksEntries(redis, discomId),
    close: async () => {
      for (const r of relays) r.stop();
      await runs.close();
    },
  };
}
