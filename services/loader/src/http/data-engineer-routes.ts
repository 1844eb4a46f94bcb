import type { FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '@ies/clickhouse';
import type { AvroSerde } from '@ies/kafka';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { authenticateRead } from '@ies/http/auth';
import type { NotaryBacklog } from '@ies/notary/http';
import type { RegistryState } from '@ies/registry';
import { readDayLoaded, readDeadLetters, readHeadEndBatches, readIngestActivity } from './queries.js';
import { readDeadLetterBytes } from './dead-letter-bytes.js';
import { DAY_LOADED, DEAD_LETTER_ORIGINAL, INGEST_ACTIVITY, LIST_DEAD_LETTERS, LIST_HEAD_ENDS } from './schemas.js';

/** The widest window /v1/ingest-activity answers for (per-minute buckets). */
const MAX_ACTIVITY_WINDOW_MS = 24 * 3_600_000;

export interface DataEngineerRouteDeps {
  readonly config: Config;
  readonly registry: RegistryState;
  readonly clickhouse: ClickHouseClient;
  readonly serde: AvroSerde;
  readonly now: () => number;
  /** The notary's oldest batch still without a receipt (@ies/notary/http). */
  readonly notaryBacklog: (discomId: string) => Promise<NotaryBacklog | undefined>;
}


/**
 * The data engineer's reads of what the loader stored: dead letters and head-ends with their
 * last notarised batch. For a participant with role DISCOM of the tenant (a head-end's own
 * view is not in this slice); another tenant's `?discom=` is refused, never filtered to empty.
 */
export function dataEngineerRoutes(app: FastifyInstance, deps: DataEngineerRouteDeps): void {
  const discomReader = async (authorization: string | undefined, asked: string | undefined): Promise<string> => {
    const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    if (asked !== undefined && asked !== who.discomId) throw new IesError('IES_ERR_TENANT_FORBIDDEN', `${who.participantId} belongs to ${who.discomId}; it may not read ${asked}'s data`);
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role !== 'DISCOM') throw new IesError('IES_ERR_ROLE_FORBIDDEN', `${who.participantId} has role ${role ?? 'UNKNOWN'}; dead letters and head-ends of ${who.discomId} are for its DISCOM participants`);
    return who.discomId;
  };

  app.get('/v1/dead-letters', { schema: LIST_DEAD_LETTERS }, async (req) => {
    const q = req.query as { discom?: string; stage?: string; code?: string; headEndId?: string; from?: number; to?: number; limit?: number };
    const discomId = await discomReader(req.headers.authorization, q.discom);
    const limit = q.limit ?? 100;
    if (q.from !== undefined && q.to !== undefined && q.to <= q.from) throw new IesError('IES_ERR_VALIDATION', `to ${q.to} must be after from ${q.from}`);
    const found = await readDeadLetters(deps.clickhouse, { discomId, stage: q.stage, code: q.code, headEndId: q.headEndId, fromMs: q.from, toMs: q.to, limit });
    return {
      discomId,
      truncated: found.length > limit,
      deadLetters: found.slice(0, limit).map((r) => ({
        sourceId: r.source_id,
        stage: r.stage,
        code: r.code,
        message: r.last_message,
        rejectedAt: Number(r.last_rejected_at_ms),
        batchId: r.last_batch_id === '' ? null : r.last_batch_id,
        meterId: r.last_meter_id === '' ? null : r.last_meter_id,
        context: Object.fromEntries(r.last_context_keys.map((k, i) => [k, r.last_context_values[i] ?? ''])),
        payloadBytes: Number(r.payload_bytes),
      })),
    };
  });

  app.get('/v1/head-ends', { schema: LIST_HEAD_ENDS }, async (req) => {
    const discomId = await discomReader(req.headers.authorization, (req.query as { discom?: string }).discom);
    const seen = new Map((await readHeadEndBatches(deps.clickhouse, discomId)).map((r) => [r.head_end_id, r]));
    const registered = new Map(deps.registry.participantsOf(discomId, 'HEADEND').map((p) => [p.id, p]));
    const activeKeys = new Map<string, number>();
    for (const k of deps.registry.jwks(discomId).keys) if (k.status === 'ACTIVE') activeKeys.set(k.participant, (activeKeys.get(k.participant) ?? 0) + 1);
    const ids = [...new Set([...registered.keys(), ...seen.keys()])].sort();
    return {
      discomId,
      headEnds: ids.map((id) => {
        const r = seen.get(id);
        return {
          headEndId: id,
          name: registered.get(id)?.name ?? null,
          registered: registered.has(id),
          activeKeys: activeKeys.get(id) ?? 0,
          batches: r === undefined ? 0 : Number(r.batches),
          lastBatch: r === undefined ? null : { batchId: r.last_batch_id, acceptedAt: Number(r.last_accepted_at_ms), readCount: Number(r.last_read_count), logIndex: Number(r.last_log_index) },
        };
      }),
    };
  });

  app.get('/v1/ingest-activity', { schema: INGEST_ACTIVITY }, async (req) => {
    const q = req.query as { discom?: string; from?: number; to?: number };
    const discomId = await discomReader(req.headers.authorization, q.discom);
    const toMs = q.to ?? Math.ceil(deps.now() / 60_000) * 60_000;
    const fromMs = q.from ?? Math.max(0, toMs - 3_600_000);
    if (toMs <= fromMs) throw new IesError('IES_ERR_VALIDATION', `to ${toMs} must be after from ${fromMs}`);
    if (toMs - fromMs > MAX_ACTIVITY_WINDOW_MS) throw new IesError('IES_ERR_VALIDATION', `the window from ${fromMs} to ${toMs} is ${toMs - fromMs} ms; at most ${MAX_ACTIVITY_WINDOW_MS} ms (24 h) per request`);
    const { ingest, rejections } = await readIngestActivity(deps.clickhouse, discomId, fromMs, toMs);
    return {
      discomId, from: fromMs, to: toMs, bucketMs: 60_000,
      ingest: ingest.map((r) => ({
        minute: Number(r.minute_ms), batches: Number(r.batches), reads: Number(r.reads),
        loadedLagMs: Number(r.lagged) === 0 ? null : { avg: Math.round(Number(r.avg_lag_ms)), max: Number(r.max_lag_ms) },
        notarisedLagMs: Number(r.split) === 0 ? null : { avg: Math.round(Number(r.avg_notarised_ms)), max: Number(r.max_notarised_ms) },
        storedLagMs: Number(r.split) === 0 || Number(r.lagged) === 0 ? null : { avg: Math.round(Number(r.avg_stored_ms)), max: Number(r.max_stored_ms) },
      })),
      notaryBacklog: await deps.notaryBacklog(discomId).then((b) => (b?.oldestUnreceiptedAcceptedAt ?? null) === null ? null : { oldestAcceptedAt: b!.oldestUnreceiptedAcceptedAt, waitedMs: Math.max(0, deps.now() - b!.oldestUnreceiptedAcceptedAt!) }),
      rejections: rejections.map((r) => ({ minute: Number(r.minute_ms), code: r.code, rejections: Number(r.rejections) })),
    };
  });

  app.get('/v1/reads/day-loaded', { schema: DAY_LOADED }, async (req) => {
    const q = req.query as { discom?: string; day: string };
    const discomId = await discomReader(req.headers.authorization, q.discom);
    // 00:00 IST of the day (UTC+05:30, no daylight saving).
    const startMs = Date.parse(`${q.day}T00:00:00+05:30`);
    if (!Number.isFinite(startMs) || new Date(startMs + 19_800_000).toISOString().slice(0, 10) !== q.day) throw new IesError('IES_ERR_VALIDATION', `day ${JSON.stringify(q.day)} is not a calendar date YYYY-MM-DD`);
    const r = await readDayLoaded(deps.clickhouse, discomId, startMs / 1000, startMs / 1000 + 86_400);
    const at = (v: string | undefined) => (v === undefined || Number(v) === 0 ? null : Number(v));
    return { discomId, day: q.day, reads: Number(r?.reads ?? 0), batches: Number(r?.batches ?? 0), lastReceivedAt: at(r?.last_received_ms), lastLoadedAt: at(r?.last_loaded_ms) };
  });

  app.get('/v1/dead-letters/original', { schema: DEAD_LETTER_ORIGINAL }, async (req) => {
    const q = req.query as { discom?: string; sourceId: string };
    const discomId = await discomReader(req.headers.authorization, q.discom);
    const found = await readDeadLetterBytes(deps.clickhouse, discomId, q.sourceId);
    if (found.length === 0) throw new IesError('IES_ERR_NOT_FOUND', `${discomId} has no dead letter ${q.sourceId}`);
    return {
      discomId,
      deadLetters: await Promise.all(found.map(async (d) => ({
        sourceId: d.sourceId, stage: d.stage, code: d.code, message: d.message, rejectedAt: d.rejectedAt, context: d.context,
        payloadBase64: d.payload.length === 0 ? null : d.payload.toString('base64'),
        record: d.payload.length === 0 ? null : await decodedRecord(deps.serde, d.payload),
      }))),
    };
  });
}

/**
 * A kept payload that is an Avro record of this node's topics (Confluent wire format), as JSON
 * a person can read: byte fields as UTF-8 text when they are text, else base64. Null when the
 * bytes are not such a record (that may be why they were refused).
 */
async function decodedRecord(serde: AvroSerde, payload: Buffer): Promise<Record<string, unknown> | null> {
  try {
    const record = await serde.decode<Record<string, unknown>>(payload);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Buffer.isBuffer(v) ? readableBytes(v) : v]));
  } catch {
    return null;
  }
}

function readableBytes(b: Buffer): string {
  const text = b.toString('utf8');
  const printable = b.every((c) => c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d);
  return printable && Buffer.from(text, 'utf8').equals(b) ? text : `base64:${b.toString('base64')}`;
}
