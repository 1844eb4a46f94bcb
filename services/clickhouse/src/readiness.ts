import type { ClickHouseClient } from '@clickhouse/client';

/** Readiness of ClickHouse: `/ping` answers. */
export function clickhouseReadiness(client: ClickHouseClient): { name: string; check(): Promise<void> } {
  return {
    name: 'clickhouse',
    async check() {
      const result = await client.ping();
      if (!result.success) throw result.error;
    },
  };
}
