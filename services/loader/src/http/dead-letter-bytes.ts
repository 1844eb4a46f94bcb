import { sql, type ClickHouseClient } from '@ies/clickhouse';

/** One dead letter with the bytes kept with it (newest copy of its (source, stage, code) rows). */
export interface DeadLetterBytes {
  readonly sourceId: string;
  readonly stage: string;
  readonly code: string;
  readonly message: string;
  readonly rejectedAt: number;
  readonly context: Readonly<Record<string, string>>;
  /** The rejected bytes as kept (empty when none were). */
  readonly payload: Buffer;
}

/**
 * The dead letters of a tenant's source with their bytes, newest first. The payload is read as
 * hex: it is binary (an Avro record), which JSON output would mangle.
 */
export function deadLetterBytesQuery(discomId: string, sourceId: string): string {
  return sql`SELECT source_id, stage, code, argMax(message, rejected_at_ms) AS last_message, max(rejected_at_ms) AS last_rejected_at_ms,
  argMax(context_keys, rejected_at_ms) AS last_context_keys, argMax(context_values, rejected_at_ms) AS last_context_values,
  hex(argMax(payload, rejected_at_ms)) AS payload_hex
FROM dead_letters
WHERE discom_id = ${discomId} AND source_id = ${sourceId}
GROUP BY source_id, stage, code
ORDER BY last_rejected_at_ms DESC, stage, code
LIMIT 10`;
}

interface Row { source_id: string; stage: string; code: string; last_message: string; last_rejected_at_ms: string; last_context_keys: string[]; last_context_values: string[]; payload_hex: string }

export async function readDeadLetterBytes(ch: ClickHouseClient, discomId: string, sourceId: string): Promise<DeadLetterBytes[]> {
  const rows = await (await ch.query({ query: deadLetterBytesQuery(discomId, sourceId), format: 'JSONEachRow' })).json<Row>();
  return rows.map((r) => ({
    sourceId: r.source_id, stage: r.stage, code: r.code, message: r.last_message, rejectedAt: Number(r.last_rejected_at_ms),
    context: Object.fromEntries(r.last_context_keys.map((k, i) => [k, r.last_context_values[i] ?? ''])),
    payload: Buffer.from(r.payload_hex, 'hex'),
  }));
}
