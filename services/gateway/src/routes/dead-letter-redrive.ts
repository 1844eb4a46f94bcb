import type { FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '@ies/clickhouse';
import { METER_DATA_WRITE } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { authenticateRead } from '@ies/http/auth';
import { readDeadLetterBytes } from '@ies/loader/dead-letters';
import { submitMeterBatch, type SubmitDeps } from '../ingest/submit-batch.js';
import { SUBMISSIONS_STAGE, type Submission } from '../intake/submissions-consumer.js';
import { REDRIVE_DEAD_LETTER } from './schemas/dead-letter-redrive.js';

/**
 * `POST /v1/dead-letters/redrive`: a DISCOM participant re-drives a head-end submission the
 * Kafka intake refused, once the cause is fixed (a key registered, a meter enrolled). The
 * bytes kept with the dead letter go through the same use case as the first time, under the
 * tenant of the dead letter. The signature's freshness is judged at the record's original
 * arrival (so a fix made hours later does not turn it stale); everything else now: the batch
 * is received, validated and notarised as of the re-drive, so a run whose cut-off has passed
 * does not see it. Exactly once comes from the intake itself:
 * the batch id is the head-end's jti, so a second re-drive (or a retried first one) answers
 * the recorded outcome and writes nothing.
 */
export function deadLetterRedriveRoutes(app: FastifyInstance, deps: SubmitDeps & { clickhouse: ClickHouseClient }): void {
  app.post('/v1/dead-letters/redrive', { schema: REDRIVE_DEAD_LETTER }, async (req) => {
    const who = await authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role !== 'DISCOM') throw new IesError('IES_ERR_ROLE_FORBIDDEN', `${who.participantId} has role ${role ?? 'UNKNOWN'}; re-driving dead letters of ${who.discomId} is for its DISCOM participants`);
    const { sourceId } = req.body as { sourceId: string };
    const found = await readDeadLetterBytes(deps.clickhouse, who.discomId, sourceId);
    if (found.length === 0) throw new IesError('IES_ERR_NOT_FOUND', `${who.discomId} has no dead letter ${sourceId}`);
    const submission = found.find((d) => d.stage === SUBMISSIONS_STAGE && d.payload.length > 0);
    if (!submission) {
      throw new IesError('IES_ERR_VALIDATION', `dead letter ${sourceId} (stage ${found[0]!.stage}, ${found[0]!.code}) cannot be re-driven: only head-end submissions the Kafka intake refused keep their signed bytes; a rejected read is fixed by the head-end sending a corrected batch`);
    }
    const s = await deps.serde.decode<Submission>(submission.payload);
    const arrivedAt = Number(submission.context['arrivedAt'] ?? submission.rejectedAt);
    const outcome = await submitMeterBatch(deps, { body: s.body, contentType: s.contentType, signature: s.signature, tenant: who.discomId, request: METER_DATA_WRITE, authAtMs: arrivedAt });
    req.log.info({ sourceId, discomId: who.discomId, by: who.participantId, status: outcome.status, replayed: outcome.replayed }, 'dead letter re-driven');
    return { sourceId, accepted: !outcome.problem, replayed: outcome.replayed, status: outcome.status, result: outcome.body };
  });
}
