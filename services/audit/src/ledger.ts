import { readFile } from 'node:fs/promises';

/**
 * What a head-end (or the campaign's load generator) was told was accepted: one JSON object
 * per line. Only what was acknowledged is in it, so the auditor can tell a lost write (acked,
 * not on the topic) from one that was never promised.
 */
export type AckLedgerEntry =
  | { kind: 'batch'; discomId: string; batchId: string; bodySha256: string; at: number; via?: 'http' | 'kafka' }
  | { kind: 'dr-event'; discomId: string; eventId: string; at: number }
  | { kind: 'p2p-trade'; discomId: string; tradeId: string; at: number };

const str = (o: Record<string, unknown>, k: string): boolean => typeof o[k] === 'string' && (o[k] as string).length > 0;

function entryOf(value: unknown): AckLedgerEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  if (!str(o, 'discomId')) return 'discomId is missing';
  if (typeof o.at !== 'number' || !Number.isSafeInteger(o.at)) return 'at (epoch ms) is missing';
  if (o.kind === 'batch') return str(o, 'batchId') && typeof o.bodySha256 === 'string' && /^[0-9a-f]{64}$/.test(o.bodySha256) ? { kind: 'batch', discomId: o.discomId as string, batchId: o.batchId as string, bodySha256: o.bodySha256, at: o.at, ...(o.via === 'http' || o.via === 'kafka' ? { via: o.via } : {}) } : 'a batch entry has batchId and a lower-case hex bodySha256';
  if (o.kind === 'dr-event') return str(o, 'eventId') ? { kind: 'dr-event', discomId: o.discomId as string, eventId: o.eventId as string, at: o.at } : 'a dr-event entry has eventId';
  if (o.kind === 'p2p-trade') return str(o, 'tradeId') ? { kind: 'p2p-trade', discomId: o.discomId as string, tradeId: o.tradeId as string, at: o.at } : 'a p2p-trade entry has tradeId';
  return `kind ${JSON.stringify(o.kind)} is not batch, dr-event or p2p-trade`;
}

/** Parses JSONL; blank lines are skipped, anything else malformed is an error naming its line. */
export function parseAckLedger(text: string, source = 'ledger'): AckLedgerEntry[] {
  const out: AckLedgerEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new SyntaxError(`${source} line ${i + 1}: not JSON: ${(err as Error).message}`, { cause: err });
    }
    const entry = entryOf(value);
    if (typeof entry === 'string') throw new SyntaxError(`${source} line ${i + 1}: ${entry}`);
    out.push(entry);
  });
  return out;
}

export async function readAckLedger(file: string): Promise<AckLedgerEntry[]> {
  return parseAckLedger(await readFile(file, 'utf8'), file);
}
