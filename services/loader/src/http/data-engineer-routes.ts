import type { FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { authenticateRead } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { readDeadLetters, readHeadEndBatches } from './queries.js';
import { LIST_DEAD_LETTERS, LIST_HEAD_ENDS } from './schemas.js';

export interface DataEngineerRouteDeps {
  readonly config: Config;
  readonly registry: RegistryState;
  readonly clickhouse: ClickHouseClient;
  readonly now: () => number;
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
}
