import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '@ies/config';

export type { ClickHouseClient };

/**
 * A client bound to the configured database (or `options.database`). The migration runner
 * takes a client bound to `default`, because the project's database may not exist yet.
 */
export function createClickHouse(config: Config, options: { database?: string } = {}): ClickHouseClient {
  return createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    database: options.database ?? config.clickhouse.database,
    request_timeout: 60_000,
    // 18.16 rejects settings it does not know; send none by default.
    clickhouse_settings: {},
  });
}
