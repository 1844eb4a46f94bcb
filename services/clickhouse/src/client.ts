import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '@ies/config';

export type { ClickHouseClient };

/**
 * A client bound to the configured database (or `options.database`). The migration runner
 * takes a client bound to `default`, because the project's database may not exist yet.
 * `requestTimeoutMs` (default 60 s) is how long the connection may stay silent. Above the
 * default, ClickHouse is asked to send a progress header every 10 s while a statement runs,
 * so a long statement is not cut as idle (the client warns otherwise; 18.16 knows both
 * settings), and the headers may grow to 4 MiB (Node's default of 16 KiB is some 20 minutes
 * of them). The answer's status is then sent with the first header: an error after it
 * arrives in the body, so read the body of a long statement (exec) rather than trust
 * `command`'s status.
 */
export function createClickHouse(config: Config, options: { database?: string; requestTimeoutMs?: number } = {}): ClickHouseClient {
  const long = (options.requestTimeoutMs ?? 0) > DEFAULT_TIMEOUT_MS;
  return createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    database: options.database ?? config.clickhouse.database,
    request_timeout: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    // 18.16 rejects settings it does not know; send none by default.
    clickhouse_settings: long ? { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' } : {},
    ...(long ? { max_response_headers_size: 4 * 2 ** 20 } : {}),
  });
}

const DEFAULT_TIMEOUT_MS = 60_000;
