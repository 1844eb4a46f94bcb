// `ies disputes raise|decide|show`: a dispute on a run statement, signed by the raiser's key;
// a decision signed by the desk's key; a dispute with its history.
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { importPrivateJwk, signDetached } from '@ies/crypto';
import { formatRupees } from '@ies/units';
import { parseArgs } from './args.js';
import { answer, bearer } from './statements-desk.js';

export const DISPUTES_USAGE = `usage: ies disputes raise FILE --key FILE --participant ID [--tenant DISCOM]
       ies disputes decide ID --status UNDER_REVIEW|UPHELD|REJECTED [--reason TEXT] --key FILE --participant ID --tenant DISCOM
       ies disputes show ID [--discom DISCOM] [auth]

raise   signs FILE, a dispute document (ies.settlement.dispute/v1: statementId, type
        READ_VALUE|NO_READ|CHARGE, lines with their claimed figures, evidence: read proofs
        from GET /v1/reads/proof, tlog proofs, receipts, absent reads; docs/statements.md),
        with the raiser's private JWK and posts it. --tenant is the tenant the signer's key is
        registered in (default: the statement's DISCOM, which is right for its own participants
        and for a counterparty DISCOM on another node registered there as PEER_DISCOM, signing
        with its settlement key, --participant its DISCOM id).
decide  the desk's signed decision: UNDER_REVIEW, then UPHELD (the next run applies it) or
        REJECTED. --tenant is the desk's DISCOM (the statement's).
show    the dispute, its claimed adjustments and its signed history (--discom: the
        statement's DISCOM when it is not the caller's).
auth    --token JWT (or IES_TOKEN), or --key FILE --participant ID [--audience NODE] [--tenant
        DISCOM: the tenant the key acts for, named in the token; needed for a peer DISCOM's key
        registered with several DISCOMs of the node].
--url defaults to IES_GATEWAY_URL or http://127.0.0.1:8080. Exit: 0 done, 1 refused, 2 usage.`;

export async function runDisputes(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  const [sub, target] = args.positional;
  const opt = (name: string) => {
    const v = args.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const base = (opt('url') ?? env.IES_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const signedPost = async (path: string, body: Buffer, tenant: string) => {
    const keyFile = opt('key');
    if (keyFile === undefined || opt('participant') === undefined) return undefined;
    const key = await importPrivateJwk(JSON.parse(await readFile(keyFile, 'utf8')) as JWK);
    const signature = await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: `dsp-${randomUUID()}`, htm: 'POST', htu: path, tenant });
    return answer(await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, body }), `POST ${path}`);
  };
  if (sub === 'raise' && target !== undefined) {
    const body = await readFile(target);
    const statementId = (JSON.parse(body.toString('utf8')) as { statementId?: string }).statementId ?? '';
    if (opt('key') === undefined || opt('participant') === undefined) return usage();
    const done = await signedPost('/v1/disputes', body, opt('tenant') ?? statementId.split(':')[0]!);
    if (done === undefined) return 1;
    printDispute(done);
    return 0;
  }
  if (sub === 'decide' && target !== undefined) {
    const status = opt('status');
    if (status === undefined || !['UNDER_REVIEW', 'UPHELD', 'REJECTED'].includes(status) || opt('key') === undefined || opt('participant') === undefined || opt('tenant') === undefined) return usage();
    const reason = opt('reason');
    const done = await signedPost(`/v1/disputes/${target}/decisions`, Buffer.from(JSON.stringify(reason === undefined ? { status } : { status, reason })), opt('tenant')!);
    if (done === undefined) return 1;
    printDispute(done);
    return 0;
  }
  if (sub === 'show' && target !== undefined) {
    const token = await bearer(opt, env);
    if (token === undefined) return usage();
    const discom = opt('discom');
    const done = await answer(await fetch(`${base}/v1/disputes/${target}${discom === undefined ? '' : `?discom=${encodeURIComponent(discom)}`}`, { headers: { authorization: `Bearer ${token}` } }), 'GET dispute');
    if (done === undefined) return 1;
    printDispute(done['dispute'] as Record<string, unknown>);
    for (const c of done['history'] as { status: string; at: number; by: string; reason: string | null; signed?: { kid: string } }[]) {
      console.log(`  ${new Date(c.at).toISOString()} ${c.status.padEnd(12)} by ${c.by}${c.signed ? ` (signed, kid ${c.signed.kid})` : ''}${c.reason ? `: ${c.reason}` : ''}`);
    }
    return 0;
  }
  return usage();
}

/** One line per dispute and one per adjustment it claims or applies. */
export function printDispute(d: Record<string, unknown>): void {
  const applied = d['appliedIn'] as { statementId: string } | null;
  console.log(`${String(d['disputeId'])} ${String(d['status'])}: ${String(d['type'])} on ${String(d['statementId'])}${applied ? `, applied in ${applied.statementId}` : ''}`);
  for (const a of d['adjustments'] as { counterparty: string; amountPaise: number }[]) console.log(`  adjustment: ${formatRupees(Math.abs(a.amountPaise))} ${a.amountPaise >= 0 ? `receivable from ${a.counterparty}` : `payable to ${a.counterparty}`}`);
}

function usage(): number {
  console.error(DISPUTES_USAGE);
  return 2;
}
