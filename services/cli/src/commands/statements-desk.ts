// The settlement desk's `ies statements` commands besides `pull`: ask for a calendar run,
// diff two statements, and sign a FINAL or DISPUTED decision.
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { importPrivateJwk, signDetached } from '@ies/crypto';
import { formatRupees } from '@ies/units';
import type { ParsedArgs } from './args.js';

export const DESK_USAGE = `usage: ies statements run --day YYYY-MM-DD [--run NAME] [auth]
       ies statements diff FROM_ID TO_ID [auth]
       ies statements transition ID --to FINAL|DISPUTED [--reason TEXT] --key FILE --participant ID [--tenant DISCOM]
       ies statements report ID --name reconciliation|positions|pending [--csv] [auth]

run         asks for a statement run of the day: a calendar run (--run INITIAL, R1, …; default
            the latest whose cut-off has passed) when the DISCOM's policy pack has a calendar.
diff        prints what changed from FROM_ID to TO_ID, line by line, with the reason
            (LATE_READ, REVISED_READ, POLICY, DISPUTE, ADJUSTMENT).
transition  releases (FINAL) or contests (DISPUTED) a statement: a signed write (detached JWS
            over the body, bound to method, path and tenant) with the desk's private JWK; the
            node keeps the signature with the statement's history. --tenant defaults to the
            DISCOM of the statement id.
report      prints a desk's report of the statement: reconciliation (contracted vs metered vs
            allocated per trade and counterparty, deviations, shortfall penalties, DR offered vs
            delivered), positions (towards each other DISCOM) or pending (with their age at the
            run's cut-off); JSON, or CSV with --csv.
auth        --token JWT (or IES_TOKEN), or --key FILE --participant ID [--audience NODE].
--url defaults to IES_GATEWAY_URL or http://127.0.0.1:8080. Exit: 0 done, 1 refused, 2 usage.`;

type Opt = (name: string) => string | undefined;

interface LineChange {
  change: string; reason: string; kind: string; reference: string; intervalStartMs: number | null; meterId: string | null; payer: string; payee: string;
  before: { quantityWh: number | null; amountPaise: number } | null; after: { quantityWh: number | null; amountPaise: number } | null;
}

export async function bearer(opt: Opt, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const token = opt('token') ?? env.IES_TOKEN;
  if (token !== undefined) return token;
  const keyFile = opt('key');
  const participant = opt('participant');
  if (keyFile === undefined || participant === undefined) return undefined;
  const key = await importPrivateJwk(JSON.parse(await readFile(keyFile, 'utf8')) as JWK);
  // --tenant names the tenant the key acts for: needed for a peer DISCOM's key registered with several.
  const tenant = opt('tenant');
  return new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid, ...(tenant === undefined ? {} : { tenant }) }).setIssuer(participant).setAudience(opt('audience') ?? env.IES_NODE_ID ?? 'ies-node-local').setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
}

export async function answer(res: Response, what: string): Promise<Record<string, unknown> | undefined> {
  const text = await res.text();
  if (res.ok) return JSON.parse(text) as Record<string, unknown>;
  console.error(`${what} answered ${res.status}: ${text.slice(0, 1000)}`);
  return undefined;
}

export async function runDeskCommand(sub: string, args: ParsedArgs, opt: Opt, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const base = (opt('url') ?? env.IES_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (sub === 'transition') {
    const [id] = args.positional.slice(1);
    const to = opt('to');
    const keyFile = opt('key');
    const participant = opt('participant');
    if (id === undefined || (to !== 'FINAL' && to !== 'DISPUTED') || keyFile === undefined || participant === undefined) return usage();
    const key = await importPrivateJwk(JSON.parse(await readFile(keyFile, 'utf8')) as JWK);
    const tenant = opt('tenant') ?? id.split(':')[0]!;
    const path = `/v1/statements/${encodeURIComponent(id)}/transitions`;
    const reason = opt('reason');
    const body = Buffer.from(JSON.stringify(reason === undefined ? { to } : { to, reason }));
    const signature = await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: `stmt-${randomUUID()}`, htm: 'POST', htu: path, tenant });
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, body });
    const done = await answer(res, `POST ${path}`);
    if (done === undefined) return 1;
    console.log(`${id}: ${String(done['status'])} (signed by ${participant}, kid ${key.kid})`);
    return 0;
  }
  const token = await bearer(opt, env);
  if (token === undefined) return usage();
  const headers = { authorization: `Bearer ${token}` };
  if (sub === 'run') {
    const day = opt('day');
    if (day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return usage();
    const run = opt('run');
    const res = await fetch(`${base}/v1/statements/runs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(run === undefined ? { day } : { day, run }) });
    const done = await answer(res, 'POST /v1/statements/runs');
    if (done === undefined) return 1;
    console.log(done['run'] === undefined ? `queued ${String(done['jobId'])}` : `queued run ${String(done['run'])} of ${day} (cut-off ${String(done['cutoff'])}${done['early'] === true ? ', early' : ''}): ${String(done['statementId'])}`);
    return 0;
  }
  if (sub === 'report') {
    const [id] = args.positional.slice(1);
    const name = opt('name');
    if (id === undefined || name === undefined || !['reconciliation', 'positions', 'pending'].includes(name)) return usage();
    const csv = args.options.get('csv') === true;
    const res = await fetch(`${base}/v1/statements/${encodeURIComponent(id)}/reports/${name}`, { headers: { ...headers, accept: csv ? 'text/csv' : 'application/json' } });
    if (!res.ok) {
      console.error(`GET report answered ${res.status}: ${(await res.text()).slice(0, 1000)}`);
      return 1;
    }
    const text = await res.text();
    process.stdout.write(csv ? text : `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    return 0;
  }
  if (sub === 'diff') {
    const [from, to] = args.positional.slice(1);
    if (from === undefined || to === undefined) return usage();
    const res = await fetch(`${base}/v1/statements/${encodeURIComponent(to)}/diff?against=${encodeURIComponent(from)}`, { headers });
    const diff = await answer(res, 'GET diff');
    if (diff === undefined) return 1;
    printDiff(diff);
    return 0;
  }
  return usage();
}

function printDiff(d: Record<string, unknown>): void {
  const ref = (r: unknown) => { const v = r as { id: string; run: string | null }; return v.run === null ? v.id : `${v.id} (run ${v.run})`; };
  const lines = d['lines'] as LineChange[];
  console.log(`${ref(d['from'])} → ${ref(d['to'])}: ${lines.length} line(s) changed`);
  const wh = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v));
  if (lines.length > 0) console.log(`${'change'.padEnd(8)} ${'reason'.padEnd(12)} ${'kind'.padEnd(19)} ${'reference'.padEnd(24)} ${'interval'.padEnd(24)} ${'meter'.padEnd(10)} ${'Wh before → after'.padEnd(20)} amount before → after`);
  for (const l of lines) {
    const at = l.intervalStartMs === null ? '-' : new Date(l.intervalStartMs).toISOString();
    console.log(`${l.change.padEnd(8)} ${l.reason.padEnd(12)} ${l.kind.padEnd(19)} ${l.reference.padEnd(24)} ${at.padEnd(24)} ${(l.meterId ?? '-').padEnd(10)} ${`${wh(l.before?.quantityWh)} → ${wh(l.after?.quantityWh)}`.padEnd(20)} ${l.before ? formatRupees(l.before.amountPaise) : '-'} → ${l.after ? formatRupees(l.after.amountPaise) : '-'}`);
  }
  const pending = d['pending'] as { resolved: string[]; opened: string[] };
  if (pending.resolved.length > 0) console.log(`resolved (no longer pending): ${pending.resolved.join(', ')}`);
  if (pending.opened.length > 0) console.log(`newly pending: ${pending.opened.join(', ')}`);
  for (const p of d['netPositions'] as { counterparty: string; netPaiseDelta: number }[]) console.log(`net towards ${p.counterparty}: ${p.netPaiseDelta >= 0 ? '+' : ''}${formatRupees(p.netPaiseDelta)}`);
}

function usage(): number {
  console.error(DESK_USAGE);
  return 2;
}
