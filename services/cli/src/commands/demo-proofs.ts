import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { countReads, sampleReads } from '@ies/reads';
import type { Config } from '@ies/config';
import { generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import { checkpointSizeOf } from '@ies/verify';
import { runVerify } from './verify.js';

export interface NotaryWatch {
  readonly config: Config;
  readonly discom: string;
  readonly startedAt: number;
  readonly sizeBefore: number;
  get(pathAndQuery: string): Promise<Response>;
  firstCheckpoint(): string | undefined;
  stop(): void;
}


/**
 * Registers an auditor for the tenant (role AUDITOR, signed in by the node operator) and the
 * DISCOM's records office (role DISCOM), which grants the auditor a capability to read proofs;
 * the demo then reads the log API as that auditor would, and records the first checkpoint the
 * log signs during the run.
 */
export async function watchNotary(o: { config: Config; gatewayUrl: string; discom: string; operatorKeyFile: string }): Promise<NotaryWatch> {
  const participant = `${o.discom}-AUDIT`;
  const office = `${o.discom}-RECORDS`;
  const key = await generateSigningKey('EdDSA');
  const officeKey = await generateSigningKey('EdDSA');
  await register(o, participant, key, office, officeKey);
  // The DISCOM's grant: proofs, for the length of the demo's engagement (a day).
  const capability = await new SignJWT({ scope: 'proofs' }).setProtectedHeader({ alg: officeKey.alg, kid: officeKey.kid }).setIssuer(office).setSubject(participant).setAudience(o.config.nodeId).setIssuedAt().setExpirationTime('1d').sign(officeKey.privateKey);
  const get = async (pathAndQuery: string) => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(participant).setAudience(o.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
    return fetch(`${o.gatewayUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}`, 'x-ies-capability': capability } });
  };
  for (let i = 0; ; i++) {
    const res = await get('/v1/whoami');
    if (res.ok) break;
    if (i > 50) throw new Error(`the audit participant's token is not accepted: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const current = await get('/v1/log/checkpoint');
  const sizeBefore = current.ok ? checkpointSizeOf(await current.text()) : 0;
  let first: string | undefined;
  const timer = setInterval(() => {
    if (first) return;
    void get('/v1/log/checkpoint').then(async (res) => {
      const note = res.ok ? await res.text() : undefined;
      if (!first && note && checkpointSizeOf(note) > sizeBefore) first = note;
    }, () => {});
  }, 250);
  return { config: o.config, discom: o.discom, startedAt: Date.now(), sizeBefore, get, firstCheckpoint: () => first, stop: () => clearInterval(timer) };
}

async function register(o: { gatewayUrl: string; discom: string; operatorKeyFile: string }, participant: string, key: KeyPair, office: string, officeKey: KeyPair): Promise<void> {
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  const body = Buffer.from(`discom: ${o.discom}\nparticipants:\n  - id: ${participant}\n    role: AUDITOR\n    name: Demo auditor\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n  - id: ${office}\n    role: DISCOM\n    name: ${o.discom} records office\n    keys:\n      - ${JSON.stringify(officeKey.publicJwk)}\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `DEMO-AUDIT-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant: o.discom });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering the demo auditor failed: ${res.status} ${await res.text()}`);
}

/** Waits for the run's batches in the log and its reads in ClickHouse, then proves a random sample and the run's consistency with `ies verify`. */
export async function proveSample(w: NotaryWatch, o: { batches: number; reads: number; sample: number; outDir: string; receiptLatencies: readonly number[] }): Promise<{ ok: boolean; verified: number }> {
  const target = w.sizeBefore + o.batches;
  const last = await poll(async () => {
    const res = await w.get('/v1/log/checkpoint');
    const note = res.ok ? await res.text() : undefined;
    return note && checkpointSizeOf(note) >= target ? note : undefined;
  }, 180_000, `the log to reach ${target} entries`);
  const lat = [...o.receiptLatencies].sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0;
  const latency = lat.length === 0 ? 'no new receipts' : `receipt latency (accepted → receipt committed) p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lat[lat.length - 1]} ms`;
  console.log(`    log at size ${checkpointSizeOf(last)} (+${checkpointSizeOf(last) - w.sizeBefore} this run); ${latency}`);

  const ch = createClickHouse(w.config);
  try {
    const loaded = await poll(async () => {
      const n = await countReads(ch, w.discom, { receivedSinceMs: w.startedAt });
      return n >= o.reads ? n : undefined; // o.reads is 0 when the run stored nothing new
    }, 180_000, `ClickHouse to hold the run's ${o.reads} reads`);
    // A re-run on the same day replays the same signed batches (idempotent): nothing new is
    // stored, so the sample is then drawn from the tenant's earlier reads.
    const since = o.reads > 0 ? w.startedAt : 0;
    console.log(o.reads > 0 ? `    ClickHouse holds the run's ${loaded} reads (loader)` : '    every batch was a replay of an earlier run: sampling reads stored by earlier runs');
    const sample = await sampleReads(ch, w.discom, since, o.sample);

    await mkdir(o.outDir, { recursive: true });
    const vkeyRes = await w.get('/v1/log/key');
    const vkey = (await vkeyRes.text()).split('\n')[0]!;
    await writeFile(path.join(o.outDir, 'notary.vkey'), `${vkey}\n`);
    console.log(`    notary verifier key: ${vkey}`);
    let verified = 0;
    for (const [i, r] of sample.entries()) {
      const blockStart = new Date(r.blockStart).toISOString();
      const res = await w.get(`/v1/reads/proof?meterId=${encodeURIComponent(r.meterId)}&blockStart=${blockStart}&channel=${r.channel.toLowerCase()}&batchId=${encodeURIComponent(r.batchId)}`);
      const file = path.join(o.outDir, `read-proof-${i + 1}.json`);
      await writeFile(file, await res.text());
      if (!res.ok) {
        console.log(`    proof ${i + 1}: GET /v1/reads/proof answered ${res.status} (see ${file})`);
        continue;
      }
      process.stdout.write(`    $ ies verify proof ${file} --vkey-file ${path.join(o.outDir, 'notary.vkey')}\n      `);
      if ((await runVerify(['proof', file, '--vkey', vkey])) === 0) verified++;
    }

    const first = w.firstCheckpoint() ?? last;
    const [a, b] = [checkpointSizeOf(first), checkpointSizeOf(last)];
    await writeFile(path.join(o.outDir, 'checkpoint-first.txt'), first);
    await writeFile(path.join(o.outDir, 'checkpoint-last.txt'), last);
    const cons = await w.get(`/v1/log/consistency?first=${a}&second=${b}`);
    const consFile = path.join(o.outDir, 'consistency.json');
    await writeFile(consFile, await cons.text());
    process.stdout.write(`    $ ies verify consistency checkpoint-first.txt checkpoint-last.txt consistency.json   (sizes ${a} → ${b})\n      `);
    const consistent = cons.ok && (await runVerify(['consistency', path.join(o.outDir, 'checkpoint-first.txt'), path.join(o.outDir, 'checkpoint-last.txt'), consFile, '--vkey', vkey])) === 0;
    console.log(`    files in ${o.outDir}/ — re-run any check with the commands above`);
    return { ok: consistent && verified === sample.length && sample.length > 0, verified };
  } finally {
    await ch.close();
  }
}

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
