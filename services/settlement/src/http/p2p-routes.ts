import type { FastifyInstance } from 'fastify';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { authenticateRead, authenticateWrite, parseSignedJson, recordedWrite, requestPath, sendRecorded, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { SettlementError } from '../domain/codes.js';
import { renderOnStatus } from '../domain/on-status.js';
import { formatInstant } from '@ies/units';
import type { TradeRecord } from '../domain/trade.js';
import { lodgeTrade, type P2pIntakeDeps } from '../p2p-intake.js';
import type { P2pStore } from '../p2p-store.js';
import { deliverSide, type SideIntakeDeps } from '../side-intake.js';
import { DELIVER_SIDE, GET_ALLOCATION, GET_TRADE, LODGE_TRADE } from './p2p-schemas.js';

export interface P2pRouteDeps {
  config: Config;
  registry: RegistryState;
  /** P2P trades and allocations of the hosted DISCOMs (Redis + outbox to p2p-trades.v1). */
  p2p: P2pStore;
  intake: P2pIntakeDeps;
  sides: SideIntakeDeps;
  /** Every signed write's jti is recorded (replay = the first answer, never a second effect). */
  idempotency: IdempotencyStore;
  /**
   * Throws a retriable error while a hosted DISCOM's P2P store is being rebuilt from its
   * topics (Redis lost it): a replayed confirm must not find the trade missing and lodge it again.
   */
  requireStoresWhole: () => Promise<void>;
  now: () => number;
}

const PLATFORM = ['PLATFORM'] as const;

/**
 * P2P trades: DEG confirm / on_confirm / update messages signed by a registered trading
 * platform (detached JWS over the body), normalised by the settlement domain and stored for
 * every hosted DISCOM whose meter is on the trade; reads of the trade and its final
 * allocation (a DEG on_status) with a bearer token; and the inter-DISCOM side exchange
 * (POST /v1/p2p/sides, a peer node delivering a signed side allocation).
 */
export function p2pRoutes(app: FastifyInstance, deps: P2pRouteDeps): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scoped.addContentTypeParser('application/jose', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scoped.post('/v1/p2p/trades', { schema: LODGE_TRADE }, async (req, reply) => {
      const body = req.body as Buffer;
      if (!Buffer.isBuffer(body)) throw new IesError('IES_ERR_UNSUPPORTED_MEDIA_TYPE', 'send the DEG message as application/json');
      const now = deps.now();
      const request = { method: req.method, path: requestPath(req.url) };
      const sender = await authenticateWrite(deps.registry, body, req.headers['x-ies-signature'] as string | undefined, { nowMs: now, maxSkewSeconds: deps.config.auth.maxSkewSeconds, expectedRoles: PLATFORM, request });
      await deps.requireStoresWhole();
      const answer = await recordedWrite(deps.idempotency, sender, request, body, now, async () => {
        const lodged = await settled(() => lodgeTrade(deps.intake, sender, parseSignedJson(body), now));
        return { status: lodged.created ? 201 : 200, body: { action: lodged.action, trades: lodged.trades } };
      });
      return sendRecorded(reply, answer);
    });

    scoped.post('/v1/p2p/sides', { schema: DELIVER_SIDE }, async (req, reply) => {
      const jws = typeof req.body === 'string' ? req.body.trim() : undefined;
      if (!jws) throw new IesError('IES_ERR_UNSUPPORTED_MEDIA_TYPE', 'send the side allocation as a compact JWS, application/jose');
      return reply.code(202).send(await deliverSide(deps.sides, jws));
    });
  });

  /** The reader's own DISCOM's copy; a platform sees only trades it is a platform of. */
  const readable = async (authorization: string | undefined, tradeId: string): Promise<{ discomId: string; record: TradeRecord }> => {
    const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    const record = role === 'DISCOM' || role === 'PLATFORM' ? await deps.p2p.getTrade(who.discomId, tradeId) : undefined;
    const visible = record && (role === 'DISCOM' || record.trade.seller.platformId === who.participantId || record.trade.buyer.platformId === who.participantId);
    if (!record || !visible) throw new IesError('IES_ERR_NOT_FOUND', `no P2P trade ${tradeId} visible to ${who.participantId}`);
    return { discomId: who.discomId, record };
  };

  app.get('/v1/p2p/trades/:tradeId', { schema: GET_TRADE }, async (req) => {
    const { discomId, record } = await readable(req.headers.authorization, (req.params as { tradeId: string }).tradeId);
    return { discomId, tradeId: record.trade.tradeId, state: record.state, revision: record.revision, trade: record.trade };
  });

  app.get('/v1/p2p/trades/:tradeId/allocation', { schema: GET_ALLOCATION }, async (req, reply) => {
    const { discomId, record } = await readable(req.headers.authorization, (req.params as { tradeId: string }).tradeId);
    const trade = record.trade;
    const final = await deps.p2p.getFinalRecord(discomId, trade.tradeId);
    if (!final) {
      if (record.state === 'CANCELLED') throw new IesError('IES_ERR_NOT_FOUND', `trade ${trade.tradeId} is CANCELLED: it has no allocation`);
      const due = trade.intervals[trade.intervals.length - 1]!.endMs + deps.config.settlement.reconcileGraceMs;
      const wait = Math.max(60, Math.ceil((due - deps.now()) / 1000));
      const [seller, buyer] = await Promise.all([deps.p2p.getSide(discomId, trade.tradeId, 'SELLER'), deps.p2p.getSide(discomId, trade.tradeId, 'BUYER')]);
      return reply.code(202).header('retry-after', String(wait)).send({
        tradeId: trade.tradeId, state: record.state,
        awaiting: [...(seller ? [] : [`SELLER side from ${trade.seller.discomId}`]), ...(buyer ? [] : [`BUYER side from ${trade.buyer.discomId}`])],
        detail: `allocated after the delivery window ends (${formatInstant(trade.intervals[trade.intervals.length - 1]!.endMs)}) plus the grace for late reads, once both DISCOMs' sides are in`,
      });
    }
    return reply.header('x-ies-allocation-version', String(final.version)).send(renderOnStatus(trade, final.final, {
      context: {
        networkId: `ies-backbone/${deps.config.nodeId}`,
        bapId: trade.buyer.platformId,
        bppId: trade.seller.platformId,
        messageId: `${trade.tradeId}#allocation-v${final.version}`,
        timestamp: formatInstant(final.at),
      },
    }));
  });
}

/** Settlement-domain errors reach the client with their own code. */
async function settled<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SettlementError) throw new IesError(err.code, err.message, { cause: err, details: err.problems.length ? { problems: err.problems } : {} });
    throw err;
  }
}
