import type { FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { readReceiptCheckpoints } from './queries.js';
import { RECEIPT_CHECKPOINTS } from './schemas.js';

/**
 * `GET /v1/checkpoints?discom=`: the history of a tenant's checkpoints as its receipts carry
 * them (the loader stores every receipt). Public, like the checkpoints themselves: an auditor
 * needs no account to follow a log.
 */
export function checkpointRoutes(app: FastifyInstance, deps: { config: Config; clickhouse: ClickHouseClient }): void {
  app.get('/v1/checkpoints', { schema: RECEIPT_CHECKPOINTS }, async (req) => {
    const q = req.query as { discom: string; limit?: number };
    if (!deps.config.tenants.includes(q.discom)) throw new IesError('IES_ERR_NOT_FOUND', `${q.discom} is not a tenant of this node`);
    const rows = await readReceiptCheckpoints(deps.clickhouse, q.discom, q.limit ?? 20);
    return {
      discomId: q.discom,
      checkpoints: rows.map((r) => {
        // C2SP signed note: origin, decimal size, base64 root hash, then the signatures.
        const [, size, rootHash] = r.note.split('\n');
        return { size: Number(size), rootHash: rootHash ?? '', note: r.note, lastIndex: Number(r.last_index), lastAcceptedAt: Number(r.last_accepted_at_ms) };
      }),
    };
  });
}
