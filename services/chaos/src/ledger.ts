import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the load generator saw acknowledged; the auditor's first independent source. */
export type AckLedgerEntry =
  | { kind: 'batch'; discomId: string; batchId: string; bodySha256: string; at: number }
  | { kind: 'dr-event'; discomId: string; eventId: string; at: number }
  | { kind: 'p2p-trade'; discomId: string; tradeId: string; at: number };

/** The ack ledger, kept in memory and appended to a JSONL file as each answer arrives. */
export class AckLedger {
  readonly entries: AckLedgerEntry[] = [];

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
  }

  add(e: AckLedgerEntry): void {
    this.entries.push(e);
    appendFileSync(this.file, `${JSON.stringify(e)}\n`);
  }
}
