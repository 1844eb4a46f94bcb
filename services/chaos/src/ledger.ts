import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AckLedgerEntry } from '@ies/audit';

/** The ack ledger (the auditor's format), kept in memory and appended to a JSONL file as each answer arrives. */
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
