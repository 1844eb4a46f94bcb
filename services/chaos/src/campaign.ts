import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@ies/config';
import { generateSigningKey } from '@ies/crypto';
import { DAY_MS, istDayOf } from '@ies/units';
import { audit as auditDay, referenceOf, renderAuditTable, type AuditReport } from '@ies/audit';
import type { StatementContent } from '@ies/verify';
import { runPass, type PassResult } from './pass.js';
import { killAllChildren } from './processes.js';
import { renderReport } from './report.js';
import { chaosStack } from './stack.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The two DISCOMs that have settlement policy packs in services/settlement/policies; the
 * campaign's stack is its own, so the names meet nothing else.
 */
export const DISCOMS = ['DEMO-DL', 'PEER-DL'] as const;
/** The whole campaign, set-up and both passes included, stops here (the bound). */
const MAX_MINUTES = 15;

const say = (line: string) => console.log(`chaos: ${line}`);

/**
 * `npm run chaos`: a fault-free pass of the seeded workload for the reference statements, a
 * wiped stack, the same workload under the fault schedule, then the auditor per DISCOM.
 * Resolves with the exit status: 0 only when every invariant held.
 */
export async function runCampaign(env: Env): Promise<number> {
  const startedAt = Date.now();
  const deadline = startedAt + MAX_MINUTES * 60_000;
  const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
  const outDir = path.join(root, 'out', 'chaos');
  mkdirSync(outDir, { recursive: true });
  const stack = chaosStack(root, env, DISCOMS);
  // Whatever ends the campaign early ends what it started: its service processes, then its stack.
  const abort = (why: string, code: number) => {
    console.error(`chaos: ${why}; ending ${killAllChildren()} service process(es) and tearing the stack down`);
    void stack.down(false).finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`still running after ${MAX_MINUTES} minutes`, 3), deadline - startedAt);
  watchdog.unref();
  const onSignal = (signal: NodeJS.Signals) => abort(signal, 130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const day = env.IES_CHAOS_DAY ?? istDayOf(Date.now() - DAY_MS);
  const workload = { discoms: DISCOMS, day, seed: Number(env.IES_CHAOS_SEED ?? 13), metersPerDiscom: Number(env.IES_CHAOS_METERS ?? 24), rowsPerBatch: 96, faultRate: 0.01 };
  let reference: PassResult | undefined;
  let faulted: PassResult | undefined;
  let audit: AuditReport[] | string = 'the campaign stopped before the audit';
  let auditTable = '';
  try {
    const operator = await generateSigningKey('EdDSA');
    const jwksFile = path.join(stack.dir, 'keys', 'operator.jwks.json');
    mkdirSync(path.dirname(jwksFile), { recursive: true });
    writeFileSync(jwksFile, JSON.stringify({ keys: [operator.publicJwk] }));
    say(`stack ${stack.dir} (fresh): ${stack.env.IES_KAFKA_BROKERS}`);
    await stack.down(true);
    await stack.up();
    // After the first `up`: the stack makes its credentials then.
    const config = loadConfig({ ...env, ...stack.env }, { principal: 'admin' });
    const passOptions = { stack, config, operator, jwksFile, workload, outDir, base: env, say };
    reference = await runPass({ ...passOptions, name: 'reference', loadSeconds: Number(env.IES_CHAOS_REFERENCE_SECONDS ?? 20), deadline: startedAt + 6 * 60_000 });
    const refs = referenceOf(reference.statements as unknown as readonly StatementContent[]);
    say(`reference: ${Object.keys(refs).length} statements; wiping the stack for the faulted pass`);
    await stack.down(true);
    await stack.up();
    // The auditor gets the last three minutes (it waits up to 120 s for a killed writer's open transactions).
    faulted = await runPass({ ...passOptions, name: 'faulted', loadSeconds: Number(env.IES_CHAOS_LOAD_SECONDS ?? 240), deadline: deadline - 180_000 });

    const reports: AuditReport[] = [];
    for (const discomId of DISCOMS) {
      const ackLedger = faulted.ledger.entries.filter((e) => e.discomId === discomId);
      // The reference of this DISCOM's statements only (their ids start with the DISCOM).
      const referenceStatements = Object.fromEntries(Object.entries(refs).filter(([id]) => id.startsWith(`${discomId}:`)));
      const notaryVerifierKeys = faulted.logs.keys[discomId] ?? reference.logs.keys[discomId];
      reports.push(await auditDay({ config, discomId, day, ackLedger, referenceStatements, checkpoints: faulted.logs.checkpoints[discomId] ?? [], ...(notaryVerifierKeys ? { notaryVerifierKeys } : {}) }));
    }
    audit = reports;
    auditTable = renderAuditTable(reports);
  } catch (err) {
    say(`FAILED: ${(err as Error).stack ?? String(err)}`);
  } finally {
    killAllChildren();
    await stack.down(false).catch((err: Error) => say(`stack down failed: ${err.message}`));
    clearTimeout(watchdog);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const text = renderReport({ day, discoms: DISCOMS, startedAt, endedAt: Date.now(), reference, faulted, audit, auditTable });
  writeFileSync(path.join(outDir, 'report.md'), text);
  console.log(`\n${text}`);
  say(`report written to ${path.join(outDir, 'report.md')}`);
  const ok = Array.isArray(audit) && audit.every((r) => r.ok) && (faulted?.faults.every((f) => f.ok) ?? false);
  return ok ? 0 : 1;
}
