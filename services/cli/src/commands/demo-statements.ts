import { readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Config } from '@ies/config';
import { exportPrivateJwk, generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import { checkInterDiscomAgreement, checkZeroSum, type StatementContent } from '@ies/verify';
import { runStatements } from './statements.js';
import { runDisputes } from './disputes.js';
import type { P2pDemoResult } from './demo-p2p.js';
import { formatRupees } from '@ies/units';
import { participantKeyFile, saveParticipantKey } from './demo-participants.js';

const SETTLEMENT_TEAM = 'SETTLEMENT-DESK';

interface Listed { statementId: string; scope: { kind: string }; version: number; status: string; complete: boolean; lineCount: number }

/**
 * The statements part of the demo: each DISCOM's settlement desk (a participant with role
 * DISCOM) settles the day through its calendar runs (early: the demo's packs allow it) and
 * the DR event's statement. INITIAL is cut while one seller's read is still held back by its
 * head-end; the read then arrives and R1 settles it: `ies statements diff` shows the change
 * (LATE_READ). The platform disputes a line of R1 with a read proof (`ies disputes raise`),
 * the desk upholds it with signed decisions (`ies disputes decide`), FINAL carries the
 * adjustment citing the dispute (the diff says DISPUTE) and is released with a signed FINAL
 * (`ies statements transition`). Then everything is pulled with `ies statements pull` (JSON,
 * CSV and JWS files, verified offline against the JWKS and the notary's checkpoints), printed
 * as tables, checked to balance and the two DISCOMs' positions towards each other to agree.
 */
export async function runStatementsDemo(o: { config: Config; gatewayUrl: string; discoms: readonly [string, string]; day: string; eventId: string; operatorKeyFile: string; outDir: string; witness?: string; p2p: Pick<P2pDemoResult, 'platform' | 'late'> }): Promise<boolean> {
  const desks: Record<string, KeyPair> = {};
  for (const d of o.discoms) {
    desks[d] = await generateSigningKey('EdDSA');
    await registerDesk(o, d, desks[d]!);
    // Kept beside the operator key, so `ies console --as <DISCOM>/SETTLEMENT-DESK` signs in as this desk.
    await saveParticipantKey(participantKeyFile(path.dirname(o.operatorKeyFile), d, SETTLEMENT_TEAM), desks[d]!);
  }
  const token = (d: string) => {
    const key = desks[d]!;
    return new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(SETTLEMENT_TEAM).setAudience(o.config.nodeId).setIssuedAt().setExpirationTime('5m').sign(key.privateKey);
  };
  const call = async (d: string, p: string, body?: unknown) => {
    const res = await fetch(`${o.gatewayUrl}${p}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${await token(d)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${p} for ${d}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };

  const [a] = o.discoms;
  const exists = async (d: string, id: string) => (await fetch(`${o.gatewayUrl}/v1/statements/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${await token(d)}` } })).status === 200;
  const waitFor = async (d: string, id: string) => {
    const deadline = Date.now() + 120_000;
    while (!(await exists(d, id))) {
      if (Date.now() > deadline) throw new Error(`${d}: statement ${id} not issued after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  await call(a, '/v1/statements/runs', { eventId: o.eventId });
  const runBoth = async (run: string) => {
    for (const d of o.discoms) {
      const asked = await call(d, '/v1/statements/runs', { day: o.day, run });
      console.log(`    ${d}: run ${run} of ${o.day} (cut-off ${String(asked['cutoff'])}${asked['early'] === true ? ', taken early' : ''}) → ${String(asked['statementId'])}`);
      await waitFor(d, String(asked['statementId']));
    }
  };
  // A demo run again on a day an earlier run settled: its runs are issued and cannot be taken
  // again with other data. Each is asked for again (a re-run must give its very bytes) and the
  // late read and the dispute, already part of them, are not repeated.
  const settledBefore = await exists(a, `${a}:${o.day}:INITIAL`);
  if (settledBefore) console.log(`    ${o.day} was settled through its runs by an earlier demo run on this stack: each run is asked for again and must give the same bytes; the late read and the dispute are in them already`);
  await runBoth('INITIAL');
  const late = o.p2p.late;
  if (!settledBefore) {
    console.log(`    the ${new Date(late.blockStart).toISOString()} read of ${late.discomId}/${late.meterId} (seller of ${late.tradeId}) arrives now, after INITIAL's cut-off; the settlement service re-allocates the trade`);
    await late.deliver();
  }
  await runBoth('R1');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const listed = ((await call(a, `/v1/statements?day=${o.day}`))['statements'] as Listed[]).filter((s) => s.status !== 'SUPERSEDED' && s.scope.kind === 'DR_EVENT');
    if (listed.length >= 1 && listed.every((s) => s.complete)) break;
    if (Date.now() > deadline) throw new Error(`${a}: the DR event's statement of ${o.day} not computed after 120 s: ${JSON.stringify(listed)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  let decided = true;
  const diff = async (d: string, from: string, to: string) => {
    console.log(`\n    $ ies statements diff ${from} ${to}   (as ${d}/${SETTLEMENT_TEAM})`);
    decided &&= (await runStatements(['diff', from, to, '--url', o.gatewayUrl, '--token', await token(d)], {})) === 0;
  };
  for (const d of o.discoms) await diff(d, `${d}:${o.day}:INITIAL`, `${d}:${o.day}:R1`);
  const lateLines = ((await call(late.discomId, `/v1/statements/${encodeURIComponent(`${late.discomId}:${o.day}:R1`)}/diff?against=${encodeURIComponent(`${late.discomId}:${o.day}:INITIAL`)}`))['lines'] as { reason: string }[]).filter((l) => l.reason === 'LATE_READ');
  if (lateLines.length === 0) console.log(`    the late read changed no figure of ${late.discomId}'s statement (NOT shown by the diff)${settledBefore ? '; the runs were issued by an earlier run of the demo' : ''}`);
  decided &&= settledBefore || lateLines.length > 0;
  const keyFile = async (name: string, key: KeyPair) => {
    const file = path.join(o.outDir, 'desk-keys', `${name}.private.jwk.json`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(await exportPrivateJwk(key)), { mode: 0o600 });
    return file;
  };

  // The platform disputes the payment to one of A's sellers in R1, with the proof of the seller's read.
  const disputeId = settledBefore ? undefined : await raiseDemoDispute({ ...o, token, call, keyFile }, a);
  decided &&= settledBefore || disputeId !== undefined;
  if (disputeId !== undefined) {
    const deskKey = await keyFile(a, desks[a]!);
    for (const status of ['UNDER_REVIEW', 'UPHELD']) {
      console.log(`    $ ies disputes decide ${disputeId} --status ${status} --key ${deskKey} --participant ${SETTLEMENT_TEAM} --tenant ${a}`);
      decided &&= (await runDisputes(['decide', disputeId, '--status', status, '--reason', status === 'UPHELD' ? 'the read proof verifies; the seller is paid for it' : 'checking the read proof', '--key', deskKey, '--participant', SETTLEMENT_TEAM, '--tenant', a, '--url', o.gatewayUrl], {})) === 0;
    }
  }
  await runBoth('FINAL');
  await diff(a, `${a}:${o.day}:R1`, `${a}:${o.day}:FINAL`);
  if (disputeId !== undefined) {
    console.log(`    $ ies disputes show ${disputeId}   (as ${a}/${SETTLEMENT_TEAM})`);
    decided &&= (await runDisputes(['show', disputeId, '--url', o.gatewayUrl, '--token', await token(a)], {})) === 0;
  }
  for (const d of o.discoms) {
    const final = `${d}:${o.day}:FINAL`;
    const status = ((await call(d, `/v1/statements?day=${o.day}`))['statements'] as Listed[]).find((x) => x.statementId === final)?.status;
    if (status === 'FINAL') {
      console.log(`    ${final} was released by an earlier run (FINAL)`);
      continue;
    }
    const deskKey = await keyFile(d, desks[d]!);
    console.log(`    $ ies statements transition ${final} --to FINAL --key ${deskKey} --participant ${SETTLEMENT_TEAM}`);
    decided &&= (await runStatements(['transition', final, '--to', 'FINAL', '--reason', 'released after the FINAL run', '--key', deskKey, '--participant', SETTLEMENT_TEAM, '--url', o.gatewayUrl], {})) === 0;
  }
  console.log(`    $ ies statements report ${a}:${o.day}:FINAL --name reconciliation --csv   (first rows)`);
  const report = await fetch(`${o.gatewayUrl}/v1/statements/${encodeURIComponent(`${a}:${o.day}:FINAL`)}/reports/reconciliation`, { headers: { authorization: `Bearer ${await token(a)}`, accept: 'text/csv' } });
  decided &&= report.ok;
  for (const row of (await report.text()).split('\r\n').slice(0, 6)) if (row !== '') console.log(`      ${row}`);

  const contents: Record<string, StatementContent> = {};
  let verified = true;
  for (const d of o.discoms) {
    const out = path.join(o.outDir, d);
    await rm(out, { recursive: true, force: true }); // only this run's files, nothing left from an earlier one
    console.log(`    $ ies statements pull --day ${o.day} --out ${out}   (as ${d}/${SETTLEMENT_TEAM})`);
    const code = await runStatements(['pull', '--day', o.day, '--out', out, '--url', o.gatewayUrl, '--token', await token(d), ...(o.witness ? ['--witness', o.witness] : [])], {});
    verified &&= code === 0;
    for (const f of (await readdir(out)).filter((n) => n.endsWith('.json') && n !== 'jwks.json')) {
      const c = JSON.parse(await readFile(path.join(out, f), 'utf8')) as StatementContent;
      if (c.scope.kind === 'DAY' && c.run?.name !== 'FINAL') continue; // superseded by FINAL; the diffs are above
      printStatement(c);
      if (c.scope.kind === 'DAY') contents[d] = c;
    }
  }
  const [ca, cb] = o.discoms.map((d) => contents[d]);
  const agree = ca && cb ? checkInterDiscomAgreement(ca, cb) : { ok: false, problems: ['a day statement is missing'] };
  console.log(`    ${o.discoms.join(' ↔ ')}: positions towards each other ${agree.ok ? 'agree line for line' : `DISAGREE: ${JSON.stringify(agree)}`}`);
  return verified && decided && agree.ok;
}

function printStatement(c: StatementContent): void {
  const balance = checkZeroSum(c);
  const scope = c.scope.kind === 'DAY' ? `day ${c.scope.day}` : `DR event ${c.scope.eventId}`;
  const run = c.run ? `run ${c.run.name}, cut-off ${new Date(c.run.cutoffMs).toISOString()}, ` : '';
  console.log(`\n      ${c.id}  (${scope}, ${run}R${c.version}${c.revises ? ` revising ${c.revises.id}` : ''}, policy ${c.policy.policyId} v${c.policy.version}, ${c.evidence.length} evidence checkpoint(s), ${balance.ok ? 'balances' : 'DOES NOT BALANCE'})`);
  const kinds = new Map<string, { lines: number; wh: number; receivable: number; payable: number }>();
  for (const l of c.lines) {
    const k = kinds.get(l.kind) ?? { lines: 0, wh: 0, receivable: 0, payable: 0 };
    k.lines++;
    k.wh += l.quantityWh ?? 0;
    if (l.payee === `discom:${c.discomId}`) k.receivable += l.amountPaise;
    else k.payable += l.amountPaise;
    kinds.set(l.kind, k);
  }
  console.log('        kind                 lines   quantity      receivable       payable');
  for (const [kind, k] of [...kinds].sort()) console.log(`        ${kind.padEnd(19)}  ${String(k.lines).padStart(5)}  ${(k.wh / 1000).toFixed(3).padStart(9)} kWh  ${formatRupees(k.receivable).padStart(12)}  ${formatRupees(k.payable).padStart(12)}`);
  console.log(`        ${'total'.padEnd(19)}  ${String(c.lines.length).padStart(5)}  ${''.padStart(13)}  ${formatRupees(c.totals.receivablePaise).padStart(12)}  ${formatRupees(c.totals.payablePaise).padStart(12)}   net ${formatRupees(c.totals.netPaise)}`);
  for (const p of c.interDiscomPositions) console.log(`        towards ${p.counterparty}: receivable ${formatRupees(p.receivablePaise)}, payable ${formatRupees(p.payablePaise)}, net ${formatRupees(p.netPaise)}`);
}

async function registerDesk(o: { gatewayUrl: string; operatorKeyFile: string }, discom: string, key: KeyPair): Promise<void> {
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  const body = Buffer.from(`discom: ${discom}\nparticipants:\n  - id: ${SETTLEMENT_TEAM}\n    role: DISCOM\n    name: ${discom} settlement desk\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `DEMO-DESK-${discom}-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant: discom });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering the settlement desk of ${discom} failed: ${res.status} ${await res.text()}`);
}

/**
 * The platform (role PLATFORM, it handed the trades in) disputes R1's payment to one of A's
 * sellers: it claims ₹5.00 more on the seller's P2P_ENERGY line, citing the notary's proof of
 * the seller's export in that interval (the desk fetches the proof; the platform signs).
 */
async function raiseDemoDispute(
  o: { gatewayUrl: string; day: string; outDir: string; p2p: Pick<P2pDemoResult, 'platform'>; token: (d: string) => Promise<string>; call: (d: string, p: string) => Promise<Record<string, unknown>>; keyFile: (name: string, key: KeyPair) => Promise<string> },
  a: string,
): Promise<string | undefined> {
  const r1 = `${a}:${o.day}:R1`;
  const content = (await o.call(a, `/v1/statements/${encodeURIComponent(r1)}`)) as unknown as StatementContent;
  const candidates = content.lines.filter((l) => l.kind === 'P2P_ENERGY' && l.payer === `discom:${a}` && l.payee.startsWith('meter:') && l.missingData === undefined && l.intervalStartMs !== null);
  for (const line of candidates) {
    const proof = await fetch(`${o.gatewayUrl}/v1/reads/proof?meterId=${encodeURIComponent(line.meterId!)}&blockStart=${encodeURIComponent(new Date(line.intervalStartMs!).toISOString())}&channel=export`, { headers: { authorization: `Bearer ${await o.token(a)}` } });
    if (proof.status !== 200) continue;
    const doc = {
      schema: 'ies.settlement.dispute/v1', statementId: r1, type: 'READ_VALUE',
      reason: `${line.meterId} exported more in ${new Date(line.intervalStartMs!).toISOString()} than it was paid for: its read proof is attached`,
      lines: [{ kind: line.kind, reference: line.reference, intervalStartMs: line.intervalStartMs, meterId: line.meterId, payer: line.payer, payee: line.payee, claimed: { amountPaise: line.amountPaise + 500 } }],
      evidence: [{ kind: 'READ_PROOF', proof: await proof.json() }],
    };
    const file = path.join(o.outDir, 'dispute.json');
    await mkdir(o.outDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
    const platformKey = await o.keyFile(`${a}-${o.p2p.platform.id}`, o.p2p.platform.keys[a]!);
    console.log(`\n    $ ies disputes raise ${file} --key ${platformKey} --participant ${o.p2p.platform.id}   (${line.reference}: ${formatRupees(line.amountPaise)} → ${formatRupees(line.amountPaise + 500)} to ${line.payee}, with the read proof of ${line.meterId})`);
    if ((await runDisputes(['raise', file, '--key', platformKey, '--participant', o.p2p.platform.id, '--url', o.gatewayUrl], {})) !== 0) return undefined;
    // A dispute's id is the hash of the bytes signed (the file, as posted).
    return `DSP-${createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 20)}`;
  }
  console.log(`    no payment to a seller of ${a} in ${r1} has a read proof to dispute with`);
  return undefined;
}
