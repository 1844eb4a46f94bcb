import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { audit, readAckLedger, renderAuditTable } from '@ies/audit';
import { loadConfig } from '@ies/config';
import { createLogger } from '@ies/observability';
import { parseArgs } from './args.js';

const USAGE = `usage: ies audit --discom D --day YYYY-MM-DD [--acks FILE.jsonl] [--reference FILE.json] [--vkey KEY] [--jwks FILE] [--json]

Checks a DISCOM's IST settlement day against the durable records alone (docs/reliability.md,
"Auditor"): acked batches on meter-batches.v1 once (1), reads in ClickHouse once with their
Wh and rejected reads dead-lettered once (2), the log rebuilt from receipts.v1 against every
signed checkpoint (3), acked DR events and P2P trades in topic and store (4), statements
signed, their evidence in the log and equal to a reference run (5). Reads Kafka as the
\`admin\` principal. --acks: the head-ends' ledger of acks (JSONL); --reference: {statement id:
sha256 of content without evidence}; --vkey: the notary's verifier key (default: the one the
notary published); --jwks: the DISCOM's settlement JWKS file (default: the published keys).
Prints a table of the invariants (--json: the report). Exit: 0 all hold, 1 not, 2 usage.`;

/** `ies audit`. */
export async function runAudit(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  const opt = (name: string) => {
    const v = args.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const discomId = opt('discom');
  const day = opt('day');
  if (discomId === undefined || day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day) || args.positional.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const acks = opt('acks');
  const reference = opt('reference');
  const jwks = opt('jwks');
  const vkey = opt('vkey');
  const config = loadConfig(env, { principal: 'admin' });
  // Logs go to stderr: stdout is the table (or the --json report) alone, for pipes.
  const logger = createLogger({ name: 'ies-audit', level: env.IES_LOG_LEVEL === undefined ? 'warn' : config.logLevel }, process.stderr);
  const report = await audit({
    config,
    logger,
    discomId,
    day,
    ...(acks === undefined ? {} : { ackLedger: await readAckLedger(acks) }),
    ...(reference === undefined ? {} : { referenceStatements: JSON.parse(await readFile(reference, 'utf8')) as Record<string, string> }),
    ...(vkey === undefined ? {} : { notaryVerifierKeys: [vkey] }),
    ...(jwks === undefined ? {} : { settlementJwks: (JSON.parse(await readFile(jwks, 'utf8')) as { keys: JWK[] }).keys }),
  });
  process.stdout.write(args.options.has('json') ? `${JSON.stringify(report, null, 2)}\n` : renderAuditTable([report]));
  return report.ok ? 0 : 1;
}
