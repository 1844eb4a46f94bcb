import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JWK } from 'jose';
import { trustFromVerifierKeys } from '@ies/verify';
import { statementJsonOfJws } from '@ies/verify';
import { parseArgs } from './args.js';
import { verifyStatementFile, witnessPolicyOf, type ConsistencyFile } from './verify-statement.js';
import { bearer, DESK_USAGE, runDeskCommand } from './statements-desk.js';

const USAGE = `usage: ies statements pull --day YYYY-MM-DD [--out DIR] [--url URL] (--token JWT | --key FILE --participant ID [--audience NODE]) [--witness KEY[,KEY…] [--quorum N]]

Downloads the DISCOM's statements of an IST settlement day (every version) from the gateway:
DIR/<id>.json (the signed canonical JSON), <id>.csv, <id>.jws, the DISCOM's jwks.json, the
notary keys and the checkpoints the statements cite (DIR/checkpoints/, the peer DISCOM's too
when it is on the same node), and verifies each one
as 'ies verify statement' does. Where a log has witnesses, it also saves the log's latest
witnessed checkpoint and the consistency proof from each cited checkpoint to it; with --witness
(the witnesses' cosignature vkeys) each cited checkpoint must be extended by a checkpoint
cosigned by --quorum of them (default 1). The bearer token is --token (or IES_TOKEN), or minted from the
DISCOM participant's private JWK (--key) for --participant and the node id --audience.
--url defaults to IES_GATEWAY_URL or http://127.0.0.1:8080. Exit: 0 all verified, 1 not, 2 usage.

${DESK_USAGE}`;

interface Listed {
  statementId: string;
  version: number;
  status: string;
  sha256: string;
}

/** \`ies statements …\`. */
export async function runStatements(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  const [sub] = args.positional;
  const opt = (name: string) => {
    const v = args.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  if (sub === 'run' || sub === 'diff' || sub === 'transition' || sub === 'report') return runDeskCommand(sub, args, opt, env);
  const day = opt('day');
  if (sub !== 'pull' || day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    console.error(USAGE);
    return 2;
  }
  const base = (opt('url') ?? env.IES_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const out = path.resolve(opt('out') ?? `statements-${day}`);
  const token = await bearer(opt, env);
  if (token === undefined) {
    console.error(USAGE);
    return 2;
  }
  const get = async (p: string, accept = 'application/json'): Promise<string> => {
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}`, accept } });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${p} answered ${res.status}: ${text.slice(0, 500)}`);
    return text;
  };

  const list = JSON.parse(await get(`/v1/statements?day=${day}`)) as { discomId: string; statements: Listed[] };
  await mkdir(path.join(out, 'checkpoints'), { recursive: true });
  const jwksText = await get(`/.well-known/jwks.json?discom=${encodeURIComponent(list.discomId)}`);
  await writeFile(path.join(out, 'jwks.json'), jwksText);
  const jwks = (JSON.parse(jwksText) as { keys: JWK[] }).keys;
  // Evidence cites checkpoints of the DISCOM's own log and, for inter-DISCOM trades, of the
  // peer's log (origin <prefix>/<discom>): both are public on a node hosting both.
  const vkeys = new Map<string, string[]>();
  const vkeysOf = async (discom: string): Promise<string[]> => {
    if (!vkeys.has(discom)) {
      const lines = await get(`/v1/log/key?discom=${encodeURIComponent(discom)}`, 'text/plain').then((t) => t.split('\n').map((l) => l.trim()).filter(Boolean), () => []);
      vkeys.set(discom, lines);
      if (lines.length > 0) await writeFile(path.join(out, `notary-${discom}.vkey`), `${lines.join('\n')}\n`);
    }
    return vkeys.get(discom)!;
  };
  // Each log's latest witnessed checkpoint (GET /v1/log/witnesses), saved once per log.
  const witnessedOf = new Map<string, { size: number; checkpoint: string } | null>();
  const latestWitnessed = async (discom: string) => {
    if (!witnessedOf.has(discom)) {
      const w = await get(`/v1/log/witnesses?discom=${encodeURIComponent(discom)}`).then((t) => (JSON.parse(t) as { witnessed: { size: number; checkpoint: string } | null }).witnessed, () => null);
      witnessedOf.set(discom, w);
      if (w) await writeFile(path.join(out, 'checkpoints', `${discom}-witnessed-${w.size}.txt`), w.checkpoint);
    }
    return witnessedOf.get(discom)!;
  };
  let witnesses;
  try {
    witnesses = witnessPolicyOf(opt('witness'), opt('quorum'));
  } catch (err) {
    console.error(`ies statements: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let failures = 0;
  for (const s of list.statements) {
    const id = encodeURIComponent(s.statementId);
    const name = s.statementId.replace(/[^A-Za-z0-9._-]+/g, '_');
    const [json, csv, jws] = await Promise.all([get(`/v1/statements/${id}`), get(`/v1/statements/${id}`, 'text/csv'), get(`/v1/statements/${id}`, 'application/jose')]);
    await Promise.all([writeFile(path.join(out, `${name}.json`), json), writeFile(path.join(out, `${name}.csv`), csv), writeFile(path.join(out, `${name}.jws`), jws)]);
    // The checkpoints its evidence cites, from this node's notary (others' are left to the auditor).
    const content = JSON.parse(json) as { evidence: { origin: string; size: number }[] };
    const notes: string[] = [];
    const proofs: ConsistencyFile[] = [];
    const trusted: string[] = [];
    for (const e of content.evidence) {
      const discom = e.origin.slice(e.origin.lastIndexOf('/') + 1);
      trusted.push(...(await vkeysOf(discom)));
      try {
        const note = await get(`/v1/log/checkpoint?discom=${encodeURIComponent(discom)}&size=${e.size}`, 'text/plain');
        await writeFile(path.join(out, 'checkpoints', `${discom}-${e.size}.txt`), note);
        notes.push(note);
        const w = await latestWitnessed(discom);
        if (w && w.size > e.size) {
          const c = JSON.parse(await get(`/v1/log/consistency?discom=${encodeURIComponent(discom)}&first=${e.size}&second=${w.size}`)) as { proof: string[] };
          const proof: ConsistencyFile = { origin: e.origin, first: e.size, second: w.size, proof: c.proof };
          await writeFile(path.join(out, 'checkpoints', `${discom}-${e.size}-${w.size}.consistency.json`), `${JSON.stringify(proof)}\n`);
          proofs.push(proof);
        }
        if (w) notes.push(w.checkpoint);
      } catch {
        // Not a log of this node (or not signed at that size): reported as unverified below.
      }
    }
    const evidence = content.evidence.length > 0 ? { notes, proofs, trust: { ...(await trustFromVerifierKeys([...new Set(trusted)])), ...(witnesses ? { witnesses } : {}) } } : undefined;
    const v = await verifyStatementFile(jws, jwks, evidence);
    const sameJson = statementJsonOfJws(jws) === json;
    if (v.ok && sameJson) console.log(`VERIFIED ${s.statementId} [${s.status}] → ${path.join(out, name)}.{json,csv,jws}: ${v.message}`);
    else {
      failures++;
      console.error(`NOT VERIFIED ${s.statementId}: ${v.ok ? 'PAYLOAD_MISMATCH: the JSON served is not the JWS payload' : `${v.code}: ${v.reason}`}`);
    }
  }
  console.log(`${list.statements.length} statement(s) of ${list.discomId} for ${day} in ${out}`);
  return failures === 0 ? 0 : 1;
}
