// The durable records the auditor reads, as plain data: decoded topic records with where
// they sit on the topic, and ClickHouse rows grouped the way the invariants count them.
// The invariant files are functions of these, so they run in unit tests without a stack.
import type { ReceiptBody } from '@ies/verify';

/** Where a record sits: `<topic>/<partition>/<offset>`, the name a failure gives it. */
export type Position = string;

export interface BatchRead {
  readonly meterId: string;
  readonly blockStart: number;
  readonly channel: 'IMPORT' | 'EXPORT';
  readonly wh: number;
  readonly validationStatus: string;
  readonly source: string;
}

export interface BatchRecord {
  readonly position: Position;
  readonly batchId: string;
  readonly discomId: string;
  readonly headEndId: string;
  readonly receivedAt: number;
  readonly bodySha256: string;
  readonly reads: readonly BatchRead[];
  readonly rejected: readonly { readonly index: number; readonly meterId: string | null; readonly blockStart: number | null; readonly code: string }[];
}

export interface ReceiptRecord extends ReceiptBody {
  readonly position: Position;
  readonly jws: string;
}

export interface DeadLetterRecord {
  readonly position: Position;
  readonly sourceId: string;
  readonly stage: string;
  readonly code: string;
  readonly context: Readonly<Record<string, string>>;
}

/** A lifecycle record of dr-events.v1 (version) or p2p-trades.v1 (revision). */
export interface TransitionRecord {
  readonly position: Position;
  readonly id: string;
  readonly discomId: string;
  readonly version: number;
  readonly state: string;
  readonly at: number;
}

/**
 * The rows of `reads` under one (meter, block, channel, version): the version of a read is
 * the batch that carried it. `copies` counts unmerged rows (redelivery folds them later);
 * the distinct Wh and leaf indexes show whether the copies agree.
 */
export interface StoredReadGroup {
  readonly meterId: string;
  readonly blockStart: number;
  readonly channel: 'IMPORT' | 'EXPORT';
  readonly batchId: string;
  readonly copies: number;
  readonly whs: readonly number[];
  readonly indexes: readonly number[];
}
