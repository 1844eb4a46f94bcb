import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { IesError } from '@ies/errors';

/** Formats an INSERT body may have; RowBinary is the loader's fast path. */
export type InsertFormat = 'RowBinary' | 'TabSeparated' | 'CSV' | 'JSONEachRow';
export type InsertBody = Buffer | readonly Buffer[] | string | readonly object[];

/**
 * One INSERT of already-encoded rows, failures classified by insertError (the loader's
 * pause-and-retry decision). RowBinary goes through `exec` (the client's `insert`
 * accepts only JSON and text formats); the body is one buffer or a list of chunks, sent as
 * they are, uncompressed: on the loopback, compressing costs more CPU than it saves
 * (services/loader/README.md "Throughput").
 */
export async function insertEncoded(client: ClickHouseClient, table: string, columns: readonly string[], format: InsertFormat, body: InsertBody): Promise<void> {
  try {
    await insertBody(client, table, columns, format, body);
  } catch (cause) {
    throw insertError(cause, table);
  }
}

/**
 * The one INSERT call of the project (TableSink and insertEncoded both end here). Errors
 * are the client's own; callers choose how to classify them. No `columns` means every
 * column of the table, in JSONEachRow by name.
 */
export async function insertBody(client: ClickHouseClient, table: string, columns: readonly string[] | undefined, format: InsertFormat, body: InsertBody): Promise<void> {
  const named = columns === undefined || columns.length === 0 ? {} : { columns: [...columns] as [string, ...string[]] };
  if (format === 'JSONEachRow') {
    await client.insert({ table, ...named, format, values: body as object[] });
  } else if (format === 'RowBinary') {
    const list = columns === undefined || columns.length === 0 ? '' : ` (${columns.join(', ')})`;
    const { stream } = await client.exec({ query: `INSERT INTO ${table}${list} FORMAT RowBinary`, values: bodyStream(body) });
    // The answer of an INSERT is empty; drain it so the socket goes back to the pool.
    for await (const _ of stream) { /* empty */ }
  } else {
    await client.insert({ table, ...named, format, values: bodyStream(body) });
  }
}

function bodyStream(body: InsertBody): Readable {
  if (typeof body === 'string') return Readable.from([Buffer.from(body)], { objectMode: false });
  return Readable.from(Buffer.isBuffer(body) ? [body] : (body as readonly Buffer[]), { objectMode: false });
}

/**
 * ClickHouse error codes that say "try again later": the server is overloaded, busy merging
 * or lost the connection mid-insert, not that the rows are wrong.
 * 3 UNEXPECTED_END_OF_FILE, 159 TIMEOUT_EXCEEDED, 164 READONLY, 202 TOO_MANY_SIMULTANEOUS_QUERIES,
 * 203 NO_FREE_CONNECTION, 209 SOCKET_TIMEOUT, 210 NETWORK_ERROR, 241 MEMORY_LIMIT_EXCEEDED,
 * 242 TABLE_IS_READ_ONLY, 252 TOO_MANY_PARTS, 285 TOO_FEW_LIVE_REPLICAS, 319 UNKNOWN_STATUS_OF_INSERT,
 * 394 QUERY_WAS_CANCELLED.
 */
const TRANSIENT_CLICKHOUSE_CODES = new Set(['3', '159', '164', '202', '203', '209', '210', '241', '242', '252', '285', '319', '394']);
const NETWORK_ERROR = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|socket hang up|Timeout error|timed out|other side closed|aborted/i;

/**
 * Insert failures as IesErrors: unreachable, timed-out or overloaded ClickHouse is
 * IES_ERR_DEPENDENCY_UNAVAILABLE (retriable: the loader pauses and retries); anything else
 * ClickHouse refuses (unknown table or column, a type it cannot parse) is IES_ERR_INTERNAL,
 * not retriable, because the same rows would be refused again.
 */
export function insertError(cause: unknown, table: string): IesError {
  if (cause instanceof IesError) return cause;
  const err = cause as { message?: string; code?: string; type?: string };
  const message = err.message ?? String(cause);
  const chCode = typeof err.code === 'string' && /^\d+$/.test(err.code) ? err.code : undefined;
  // Without a ClickHouse code the request never got a ClickHouse answer (network, proxy,
  // an HTTP 5xx from something in between): the rows were not judged, so retry, unless
  // the error is a programming error on this side.
  const programming = cause instanceof TypeError || cause instanceof RangeError || cause instanceof ReferenceError;
  const transient = chCode !== undefined ? TRANSIENT_CLICKHOUSE_CODES.has(chCode) : !programming || NETWORK_ERROR.test(`${err.code ?? ''} ${message}`);
  if (transient) {
    return new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `insert into ${table} failed, ClickHouse unavailable: ${message}`, { cause, details: { table, clickhouseCode: chCode ?? null } });
  }
  return new IesError('IES_ERR_INTERNAL', `ClickHouse refused the insert into ${table} (code ${chCode} ${err.type ?? ''}): ${message}`, { cause, details: { table, clickhouseCode: chCode } });
}
