import { readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { Config } from '@ies/config';
import { exportPrivateJwk, generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import { checkInterDiscomAgreement, checkZeroSum, type StatementContent } from '@ies/verify';
import { runStatements } from './statements.js';
import { formatRupees } from '@ies/units';
import { participantKeyFile, saveParticipantKey } from './demo-participants.js';

const SETTLEMENT_TEAM = 'SETTLEMENT-DESK';

interface Listed { statementId: string; scope: { kind: string }; version: number; status: string; complete: boolean; lineCount: number }

/**
 * The statements part of the demo: each DISCOM's settlement desk (a participant with role
 * DISCOM) settles the day through two calendar runs, INITIAL then R1 (early: the demo's
 * packs allow it), and the DR event's statement; prints the diff between the two runs with
 * `ies statements diff`, releases R1 with a signed FINAL (`ies statements transition`), then
 * pulls everything with `ies statements pull` (JSON, CSV and JWS files, verified offline
 * against the JWKS and the notary's checkpoints) and the demo prints them as tables, checks
 * that each balances and that the two DISCOMs' positions towards each other agree.
 */
export async function runStatementsDemo(o: { config: Config; gatewayUrl: string; discoms: readonly [string, string]; day: string; eventId: string; operatorKeyFile: string; outDir: string; witness?: string }): Promise<boolean> {
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
  for (const run of ['INITIAL', 'R1']) {
    for (const d of o.discoms) {
      const asked = await call(d, '/v1/statements/runs', { day: o.day, run });
      console.log(`    ${d}: run ${run} of ${o.day} (cut-off ${String(asked['cutoff'])}${asked['early'] === true ? ', taken early' : ''}) → ${String(asked['statementId'])}`);
      await waitFor(d, String(asked['statementId']));
    }
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const listed = ((await call(a, `/v1/statements?day=${o.day}`))['statements'] as Listed[]).filter((s) => s.status !== 'SUPERSEDED' && s.scope.kind === 'DR_EVENT');
    if (listed.length >= 1 && listed.every((s) => s.complete)) break;
    if (Date.now() > deadline) throw new Error(`${a}: the DR event's statement of ${o.day} not computed after 120 s: ${JSON.stringify(listed)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  let decided = true;
  for (const d of o.discoms) {
    const [initial, r1] = [`${d}:${o.day}:INITIAL`, `${d}:${o.day}:R1`];
    console.log(`\n    $ ies statements diff ${initial} ${r1}   (as ${d}/${SETTLEMENT_TEAM})`);
    decided &&= (await runStatements(['diff', initial, r1, '--url', o.gatewayUrl, '--token', await token(d)], {})) === 0;
    const keyFile = path.join(o.outDir, 'desk-keys', `${d}.private.jwk.json`);
    await mkdir(path.dirname(keyFile), { recursive: true });
    await writeFile(keyFile, JSON.stringify(await exportPrivateJwk(desks[d]!)), { mode: 0o600 });
    console.log(`    $ ies statements transition ${r1} --to FINAL --key ${keyFile} --participant ${SETTLEMENT_TEAM}`);
    decided &&= (await runStatements(['transition', r1, '--to', 'FINAL', '--reason', 'released after R1', '--key', keyFile, '--participant', SETTLEMENT_TEAM, '--url', o.gatewayUrl], {})) === 0;
  }

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
      if (c.scope.kind === 'DAY' && c.run?.name === 'INITIAL') continue; // superseded by R1; its diff is above
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
