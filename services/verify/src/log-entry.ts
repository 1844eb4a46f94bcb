import { canonicalJsonBytes } from '@ies/crypto';

/**
 * A log leaf: one notarised batch. The leaf data is the RFC 8785 JSON of this entry, so the
 * log commits not only to the batch root but to which batch, from which head-end, with how
 * many reads, accepted when; a notary cannot re-label a root after the fact.
 */
export interface LogEntry {
  readonly batchId: string;
  readonly discomId: string;
  readonly headEndId: string;
  readonly readCount: number;
  /** Standard base64 of the batch tree's RFC 6962 root. */
  readonly batchRoot: string;
  /** When the gateway accepted the batch, `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  readonly acceptedAt: string;
}

export const LOG_ENTRY_VERSION = 1;

export function logEntryBytes(entry: LogEntry): Uint8Array {
  return canonicalJsonBytes({
    acceptedAt: entry.acceptedAt,
    batchId: entry.batchId,
    batchRoot: entry.batchRoot,
    discomId: entry.discomId,
    headEndId: entry.headEndId,
    readCount: entry.readCount,
    v: LOG_ENTRY_VERSION,
  });
}
