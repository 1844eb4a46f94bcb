// Waiting for a database's background merges to stop: what a benchmark does after a bulk
// fill, so its timing measures a table as it is in service (mostly merged), not the merges.
import type { ClickHouseClient } from '@clickhouse/client';
import { sql } from './sql.js';

/** How many merges are running in `database`, as column `n`. */
export function activeMergesQuery(database: string): string {
  return sql`SELECT count() AS n FROM system.merges WHERE database = ${database}`;
}

/**
 * Polls every `pollMs` until no merge has run in `database` at two polls in a row (one gap
 * between two merges does not end the wait) or `timeoutMs` has passed. Returns whether the
 * merges stopped and how long it waited.
 */
export async function untilMergesSettle(client: ClickHouseClient, database: string, timeoutMs: number, pollMs = 250): Promise<{ settled: boolean; waitedMs: number }> {
  const started = performance.now();
  for (let quiet = 0; ;) {
    const rows = await (await client.query({ query: activeMergesQuery(database), format: 'JSONEachRow' })).json<{ n: string | number }>();
    quiet = Number(rows[0]?.n ?? 0) === 0 ? quiet + 1 : 0;
    if (quiet === 2) return { settled: true, waitedMs: performance.now() - started };
    if (performance.now() - started >= timeoutMs) return { settled: false, waitedMs: performance.now() - started };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
