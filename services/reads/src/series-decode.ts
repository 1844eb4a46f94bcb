// The decoder of packedSeriesQuery's RowBinary answer: per meter channel, a Float64Array of
// wh on the block grid (−1 where no usable read) and the set of batches its rows came from.
// Hand-written like history-decode.ts: 16 million values decode without an object per value.
import { IesError } from '@ies/errors';
import { HIGH_SLOT_SHIFT, HI_VALUE_MASK, TRUNCATED, varint, varintEnd } from './rowbinary.js';

export interface DecodedSeries {
  readonly wh: Float64Array;
  readonly batches: Set<string>;
}

/** The key of a meter channel in `ids` and `emit`. */
export const seriesKey = (discomId: string, meterId: string, channel: 'IMPORT' | 'EXPORT'): string => `${discomId}\u0000${meterId}\u0000${channel}`;

/**
 * Calls `emit(key, series)` per row (key: seriesKey), or `emit(key, null)` when the meter
 * channel has two rows for one block (a revision or a redelivery not merged yet): the caller resolves those. An
 * error ClickHouse appends mid-stream fails the checks on ids, lengths and slots.
 */
export async function decodeSeries(stream: AsyncIterable<Buffer>, blocks: number, ids: ReadonlySet<string>, emit: (key: string, series: DecodedSeries | null) => void): Promise<void> {
  const seen = new Uint8Array(blocks);
  const done = new Set<string>();
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  const corrupt = (what: string, at: number): never => {
    const text = buf.subarray(Math.max(0, at - 64), at + 200).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ');
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `meter series answer from ClickHouse is malformed (${what}) near: ${text}`);
  };
  const string = (p: number): [string, number] | undefined => {
    const length = varint(buf, p);
    if (length === TRUNCATED) return undefined;
    if (length < 0) corrupt('string length', p);
    const start = varintEnd(buf, p);
    if (start + length > buf.length) return undefined;
    return [buf.toString('utf8', start, start + length), start + length];
  };
  /** The row at `pos`: the position after it, or -1 when the buffer ends within it. */
  const row = (): number => {
    const discom = string(pos);
    if (discom === undefined) return -1;
    const meter = string(discom[1]);
    if (meter === undefined) return -1;
    if (meter[1] + 1 > buf.length) return -1;
    const channel = buf[meter[1]] === 1 ? 'IMPORT' : buf[meter[1]] === 2 ? 'EXPORT' : corrupt('channel', meter[1]);
    const key = seriesKey(discom[0], meter[0], channel);
    if (!ids.has(key) || done.has(key)) corrupt(`meter channel ${JSON.stringify(key.slice(0, 80))} was not asked for or came twice`, pos);
    const n = varint(buf, meter[1] + 1);
    if (n === TRUNCATED) return -1;
    if (n < 0) corrupt('array length', meter[1] + 1);
    let p = varintEnd(buf, meter[1] + 1);
    if (p + n * 8 > buf.length) return -1;
    const values = p;
    p += n * 8;
    const batchCount = varint(buf, p);
    if (batchCount === TRUNCATED) return -1;
    if (batchCount < 0) corrupt('batch count', p);
    p = varintEnd(buf, p);
    const batches = new Set<string>();
    for (let k = 0; k < batchCount; k++) {
      const b = string(p);
      if (b === undefined) return -1;
      batches.add(b[0]);
      p = b[1];
    }
    done.add(key);
    const wh = new Float64Array(blocks).fill(-1);
    seen.fill(0);
    for (let k = 0, q = values; k < n; k++, q += 8) {
      const lo = buf.readUInt32LE(q);
      const hi = buf.readUInt32LE(q + 4);
      const slot = hi >>> HIGH_SLOT_SHIFT;
      if (slot >= blocks) corrupt(`meter ${meter[0]} has a slot outside the ${blocks} blocks asked for`, pos);
      if (seen[slot] === 1) {
        emit(key, null);
        return p;
      }
      seen[slot] = 1;
      wh[slot] = (hi & HI_VALUE_MASK) * 2 ** 32 + lo - 1;
    }
    emit(key, { wh, batches });
    return p;
  };
  for await (const chunk of stream) {
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    while (pos < buf.length) {
      const next = row();
      if (next < 0) break;
      pos = next;
    }
  }
  if (pos < buf.length) corrupt(`${buf.length - pos} bytes left after the last complete row`, pos);
}
