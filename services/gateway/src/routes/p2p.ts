import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { Producer } from 'kafkajs';
import type { Config } from '@ies/config';
import { TOPICS, topicName } from '@ies/contracts';
import { parseSignedJson } from '../auth/signed-json.js';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { RegistryState } from '@ies/registry';
import {
  SettlementError, applyTradeUpdate, claimedSide, normaliseDegTrade, renderOnStatus, verifySide,
  type P2pStore, type Problem, type SideMessage, type TradeIntakeContext, type TradeRecord,
} from '@ies/settlement';
import { formatInstant } from '@ies/units';
import { authenticateRead } from '../auth/bearer-token.js';
import { authenticateWrite, requestPath } from '../auth/write-signature.js';
import { recordedWrite, sendRecorded } from '../auth/write-ledger.js';
import type { IdempotencyStore } from '../ingest/idempotency.js';
import { DELIVER_SIDE, GET_ALLOCATION, GET_TRADE, LODGE_TRADE } from './schemas/p2p.js';

export interface P2pRouteDeps {
  config: Config;
  registry: RegistryState;
  producer: Producer;
  serde: AvroSerde;
  /** P2P trades and allocations of the hosted DISCOMs (Redis + outbox to p2p-trades.v1). */
  p2p: P2pStore;
  /** Settlement keys `receiver` trusts for sides signed by `sender` (trustedSettlementKeys of @ies/settlement). */
  trustedSideKeys: (receiver: string, sender: string) => Promise<JWK[]>;
  /** Every signed write's jti is recorded (replay = the first answer, never a second effect). */
  idempotency: IdempotencyStore;
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
      const answer = await recordedWrite(deps.idempotency, sender, request, body, now, async () => {
        const payload = parseSignedJson(body);
        const known = await knownDigests(deps.p2p, sender.discomId, payload);
        const hosted = deps.config.tenants;
        const judgedAt = contractTime(payload, now, deps.config.settlement.tradeBackfillMs);
        const ctx: TradeIntakeContext = {
          now: judgedAt,
          discomId: sender.discomId,
          platform: (id) => hosted.some((t) => deps.registry.participant(t, id)?.role === 'PLATFORM'),
          meter: (meterId) => {
            const m = deps.registry.meter(sender.discomId, meterId);
            return m && hosted.includes(m.discomId) ? { discomId: m.discomId } : undefined;
          },
          peerDiscom: (d) => hosted.includes(d) || deps.registry.participant(sender.discomId, d)?.role === 'PEER_DISCOM',
          // A platform binds a hosted DISCOM's meter only as a platform registered with that
          // DISCOM, for a customer who enrolled the meter with it (consent in the registry).
          mayBind: (discomId, meterId) => deps.registry.participant(discomId, sender.participantId)?.role === 'PLATFORM' && deps.registry.tradingConsent(discomId, sender.participantId, meterId)?.status === 'ACTIVE',
          knownTrade: (id) => known.get(id),
          signerPlatformId: sender.participantId,
        };
        const result = normaliseDegTrade(payload, ctx);
        if (!result.ok) throw refused(result.problems, 'trade refused');
        const out: { tradeId: string; discomId: string; state: string; revision: number; outcome: string }[] = [];
        await settled(async () => {
          for (const trade of result.trades) {
            const holders = [trade.seller.discomId, trade.buyer.discomId].filter((d, i, all) => hosted.includes(d) && all.indexOf(d) === i);
            for (const d of holders) {
              if (trade.intent === 'CONFIRM') {
                const { record, created } = await deps.p2p.confirm(d, trade, sender.participantId, now);
                out.push(row(d, record, created ? 'CREATED' : 'REPLAY'));
              } else {
                const { record, changed } = await deps.p2p.update(d, trade.tradeId, (held) => {
                  const applied = applyTradeUpdate(held, trade, judgedAt);
                  if (!applied.ok) throw refused(applied.problems, `update of ${trade.tradeId} refused`);
                  return applied.changed ? applied.record : undefined;
                }, sender.participantId, now, trade.intent === 'CANCEL' ? 'cancelled by platform' : 'curtailed by platform');
                out.push(row(d, record, changed ? trade.intent : 'UNCHANGED'));
              }
            }
          }
          for (const tradeId of result.replays) {
            const record = await deps.p2p.getTrade(sender.discomId, tradeId);
            if (record) out.push(row(sender.discomId, record, 'REPLAY'));
          }
        });
        const created = out.some((o) => o.outcome === 'CREATED');
        return { status: created ? 201 : 200, body: { action: result.action, trades: out } };
      });
      return sendRecorded(reply, answer);
    });

    scoped.post('/v1/p2p/sides', { schema: DELIVER_SIDE }, async (req, reply) => {
      const jws = typeof req.body === 'string' ? req.body.trim() : undefined;
      if (!jws) throw new IesError('IES_ERR_UNSUPPORTED_MEDIA_TYPE', 'send the side allocation as a compact JWS, application/jose');
      const claimed = claimedSide(jws);
      const accepted: string[] = [];
      for (const receiver of deps.config.tenants) {
        if (receiver === claimed.discomId) continue;
        const record = await deps.p2p.getTrade(receiver, claimed.tradeId);
        if (!record) continue;
        const allocation = await verifySide(jws, await deps.trustedSideKeys(receiver, claimed.discomId));
        const party = allocation.side === 'SELLER' ? record.trade.seller : record.trade.buyer;
        if (party.discomId !== allocation.discomId) throw new IesError('IES_ERR_P2P_SIDE_INVALID', `the ${allocation.side} side of ${allocation.tradeId} belongs to ${party.discomId}, not ${allocation.discomId}`);
        const message: SideMessage = { tradeId: allocation.tradeId, fromDiscomId: allocation.discomId, toDiscomId: receiver, side: allocation.side, version: allocation.version, jws, sentAt: deps.now() };
        try {
          await deps.producer.send({ topic: topicName(receiver, TOPICS.p2pSides), acks: ACKS_ALL, messages: [{ key: allocation.tradeId, value: await deps.serde.encode(receiver, TOPICS.p2pSides, message) }] });
        } catch (cause) {
          if (cause instanceof IesError) throw cause;
          throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take the side for ${receiver}: ${(cause as Error).message}`, { cause, details: { retryAfterSeconds: 5 } });
        }
        accepted.push(receiver);
      }
      if (accepted.length === 0) throw new IesError('IES_ERR_P2P_TRADE_UNKNOWN', `no DISCOM of this node other than ${claimed.discomId} holds trade ${claimed.tradeId}`);
      return reply.code(202).send({ tradeId: claimed.tradeId, deliveredTo: accepted });
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

function row(discomId: string, r: TradeRecord, outcome: string) {
  return { tradeId: r.trade.tradeId, discomId, state: r.state, revision: r.revision, outcome };
}

/** The domain's problems as one coded API error (the first problem's code), every problem listed. */
function refused(problems: readonly Problem[], summary: string): IesError {
  const first = problems[0]!;
  return new IesError(first.code, `${summary}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { details: { problems } });
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

/** Digests of the trades a confirm names that the DISCOM holds already (replay detection in the domain). */
async function knownDigests(store: P2pStore, discomId: string, payload: unknown): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  const p = payload as { context?: { transactionId?: unknown }; message?: { contract?: { commitments?: unknown } } } | null;
  const tx = p?.context?.transactionId;
  const commitments = p?.message?.contract?.commitments;
  if (typeof tx !== 'string' || !Array.isArray(commitments)) return known;
  for (const c of commitments.slice(0, 100)) {
    const id = (c as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') continue;
    const digest = await store.confirmedDigest(discomId, `${tx}/${id}`);
    if (digest !== undefined) known.set(`${tx}/${id}`, digest);
  }
  return known;
}

/**
 * When the trade is judged (window not in the past, cancellation before delivery): the node
 * clock, or the contract's own context.timestamp when the platform lodges a trade late,
 * within IES_P2P_TRADE_BACKFILL_MS (off by default); an older or a future timestamp counts
 * for nothing.
 */
function contractTime(payload: unknown, now: number, backfillMs: number): number {
  if (backfillMs === 0) return now;
  const text = (payload as { context?: { timestamp?: unknown } } | null)?.context?.timestamp;
  const at = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) && at <= now && now - at <= backfillMs ? at : now;
}

