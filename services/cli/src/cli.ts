import { isIesError } from '@ies/errors';
import { runAudit } from './commands/audit.js';
import { runConsole } from './commands/console.js';
import { runDemo } from './commands/demo.js';
import { runKeys } from './commands/keys.js';
import { runRegistry } from './commands/registry.js';
import { runSimulateCommand } from './commands/simulate.js';
import { runStatements } from './commands/statements.js';
import { runDisputes } from './commands/disputes.js';
import { runTenants } from './commands/tenants.js';
import { runVerify } from './commands/verify.js';

export const USAGE = `usage: ies <command>

commands:
  demo                     the end-to-end demo: a gateway on the local stack and a simulated fleet posting a day of signed reads
  keys generate            make a key pair for a participant (or --operator for the node operator)
  registry apply FILE      sign a registry document (participants, keys, meters) and apply it
  verify WHAT FILE…        verify a checkpoint, receipt, read proof, consistency proof or statement offline (--help)
  statements pull --day D  download a day's signed settlement statements (JSON, CSV, JWS) and verify them
  statements run --day D   ask for a calendar run of the day (INITIAL, R1, …; PF<n> after the last, on an upheld dispute)
  statements diff A B      what changed from statement A to B, line by line, with the reason
  statements transition ID sign a FINAL or DISPUTED decision on a statement
  statements report ID     a desk report of a statement: reconciliation, positions or pending (JSON or CSV)
  disputes raise FILE      raise a signed dispute on a run statement, with its evidence (read proofs…)
  disputes decide ID       the settlement desk's signed decision: UNDER_REVIEW, UPHELD or REJECTED
  disputes show ID         a dispute, its adjustments and its signed history
  simulate                 register a seeded head-end fleet and post a day of signed reads (--help for options)
  tenants provision [D…]   create DISCOMs' Kafka topics and the ACLs of each service's Kafka user (as admin)
  audit --discom D --day Y check a DISCOM's day against the durable records and public keys (--help)
  console --as D/P         print a one-time link to the node's web console signed in as a local participant
  help                     this text`;

/** The `ies` command: parses argv, runs one command, returns the exit code. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo':
        return await runDemo(rest, env);
      case 'keys':
        return await runKeys(rest);
      case 'registry':
        return await runRegistry(rest, env);
      case 'verify':
        return await runVerify(rest);
      case 'statements':
        return await runStatements(rest, env);
      case 'disputes':
        return await runDisputes(rest, env);
      case 'tenants':
        return await runTenants(rest, env);
      case 'simulate':
        return await runSimulateCommand(rest, env);
      case 'audit':
        return await runAudit(rest, env);
      case 'console':
        return await runConsole(rest, env);
      case undefined:
      case 'help':
      case '--help':
        console.log(USAGE);
        return 0;
      default:
        console.error(`ies: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (isIesError(err)) console.error(`ies ${command}: ${err.code}: ${err.message}`);
    else console.error(`ies ${command}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
