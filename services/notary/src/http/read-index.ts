import type { ClickHouseClient } from '@ies/clickhouse';
import type { PublicRead } from '@ies/verify';
import { locateRead, readsOfBatch } from '@ies/reads';
import type { ReadIndex } from './log-routes.js';

/**
 * The loader's ClickHouse tables as a read index, through @ies/reads (the only reader of
 * them): `reads` finds a read's batch (latest version by receipt time unless a batch is
 * named), `reads_by_batch` returns a batch's reads in leaf order. FINAL folds redelivered copies.
 */
export class ClickHouseReadIndex implements ReadIndex {
  constructor(private readonly ch: ClickHouseClient) {}

  locate(discomId: string, read: { meterId: string; blockStart: number; channel: 'IMPORT' | 'EXPORT'; batchId?: string }) {
    return locateRead(this.ch, discomId, read);
  }

  batchReads(discomId: string, batchId: string): Promise<PublicRead[]> {
    return readsOfBatch(this.ch, discomId, batchId);
  }
}
