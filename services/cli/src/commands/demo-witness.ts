import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadConfig } from '@ies/config';
import { startGateway } from '@ies/gateway';
import { provisionTenants } from '@ies/kafka';
import { logVerifierKeys, startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { WitnessKeyFile } from '@ies/witness';
import { simulate } from './simulate.js';
import { runVerify } from './verify.js';
import { checkTiledLogs } from './demo-tlog.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One node of the demo's federation: its public URL, what it hosts, and its witness. */
interface Node {
  readonly url: string;
  readonly tenants: readonly string[];
  readonly witnessName: string;
  readonly witnessVkey: string;
  /** The vkey of each hosted tenant's log. */
  readonly logVkeys: ReadonlyMap<string, string>;
}

export interface Federation {
  /** What the demo's own node (A) adds to its configuration: its witness's name and the peer it watches and is watched by. */
  readonly nodeEnv: Readonly<Record<string, string>>;
  readonly peer: Node;
  readonly self: Node;
  /** Starts the peer node (B): a gateway and a notary of its own tenant, its witness watching A's logs. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const hostOf = (url: string) => new URL(url).host;

/**
 * Two nodes that witness each other (c2sp.org/tlog-witness), as two DISCOMs' nodes would in a
 * federation: the demo's node A (its tenants' logs) and a peer node B on another port with a
 * tenant of its own. Each node's witness watches the other's logs and each notary pushes its
 * checkpoints to the other node's witness; the keys are made first (as operators exchange
 * vkeys before they configure each other). Both nodes share this machine's Kafka, Redis and
 * registry, as the integration tests' two nodes do; their logs, keys and witnesses are apart.
 */
export async function planFederation(o: { env: Env; tenants: readonly string[]; peerDiscom: string; peerPort: number; dir: string }): Promise<Federation> {
  const configA = loadConfig(o.env, { principal: 'admin' });
  const urlB = `http://127.0.0.1:${o.peerPort}`;
  const envB: Record<string, string | undefined> = {
    ...o.env, IES_TENANTS: o.peerDiscom, IES_HTTP_PORT: String(o.peerPort), IES_PUBLIC_URL: urlB,
    IES_NOTARY_KEYS_DIR: path.join(o.dir, 'notary'), IES_WITNESS_KEYS_DIR: path.join(o.dir, 'witness'), IES_WITNESS_NAME: `${hostOf(urlB)}/witness`,
  };
  const configB = loadConfig(envB, { principal: 'admin' });
  const witnessNameA = o.env.IES_WITNESS_NAME ?? `${hostOf(configA.http.publicUrl)}/witness`;
  const describe = async (config: typeof configA, tenants: readonly string[], witnessName: string): Promise<Node> => ({
    url: config.http.publicUrl.replace(/\/+$/, ''), tenants, witnessName,
    witnessVkey: (await new WitnessKeyFile(config.witness.keysDir, witnessName).current()).vkeys[0]!,
    logVkeys: new Map(await Promise.all(tenants.map(async (d) => [d, (await logVerifierKeys(config, d))[0]!] as const))),
  });
  const self = await describe(configA, o.tenants, witnessNameA);
  const peer = await describe(configB, [o.peerDiscom], envB.IES_WITNESS_NAME!);
  const pushTo = (n: Node) => JSON.stringify([{ url: `${n.url}/witness`, vkey: n.witnessVkey }]);
  const nodeEnv = { IES_WITNESS_NAME: witnessNameA, IES_WITNESS_LOGS: [...peer.logVkeys.values()].join(','), IES_NOTARY_WITNESSES: pushTo(peer) };
  Object.assign(envB, { IES_WITNESS_LOGS: [...self.logVkeys.values()].join(','), IES_NOTARY_WITNESSES: pushTo(self) });
  let stops: (() => Promise<void>)[] = [];
  return {
    nodeEnv, self, peer,
    async start() {
      await provisionTenants(configB, [o.peerDiscom], createLogger({ name: 'ies-demo', level: 'fatal' }));
      const gateway = await startGateway(envB);
      stops.unshift(() => gateway.stop());
      const notary = await startNotaryService(envB);
      stops.unshift(() => notary.stop());
    },
    async stop() {
      for (const s of stops) await s();
      stops = [];
    },
  };
}

/**
 * Step 9: node B ingests a small fleet's day; each node's latest checkpoints then carry the
 * other node's cosignature, and verify with `ies verify` under a 1-of-1 policy of the other's
 * witness key; a receipt of node A verifies under the same policy through the witnessed
 * checkpoint it carries. Files under `outDir`.
 */
export async function showWitnessing(f: Federation, o: { day: string; operatorKeyFile: string; outDir: string; receipt: () => Promise<{ file: string; text: string } | undefined>; timeoutMs?: number }): Promise<boolean> {
  await mkdir(o.outDir, { recursive: true });
  const [peerDiscom] = f.peer.tenants as [string];
  const sim = await simulate({ gatewayUrl: f.peer.url, discom: peerDiscom, meters: 40, headEnds: 1, day: o.day, seed: 4242, batchReads: 1000, concurrency: 4, rate: 0, operatorKeyFile: o.operatorKeyFile, register: true, progress: false, faultRate: 0 });
  console.log(`    node B (${f.peer.url}) hosts ${peerDiscom}: ${sim.accepted} reads accepted in ${sim.batches} batches; its witness ${f.peer.witnessName} watches ${f.self.tenants.join(' and ')} of node A, and node A's witness ${f.self.witnessName} watches ${peerDiscom}`);
  let ok = sim.failedBatches === 0;
  const logs = [...[...f.self.logVkeys].map(([d, vkey]) => ({ node: f.self, by: f.peer, discom: d, vkey })), { node: f.peer, by: f.self, discom: peerDiscom, vkey: f.peer.logVkeys.get(peerDiscom)! }];
  for (const log of logs) {
    const note = await cosignedCheckpoint(`${log.node.url}/logs/${log.discom}/checkpoint`, log.by.witnessName, o.timeoutMs ?? 60_000);
    if (note === undefined) {
      console.log(`    ${log.discom}: no checkpoint cosigned by ${log.by.witnessName} within the time allowed`);
      ok = false;
      continue;
    }
    const file = path.join(o.outDir, `${log.discom}.cosigned-checkpoint.txt`);
    await writeFile(file, note);
    process.stdout.write(`    $ ies verify checkpoint ${file} --vkey <${log.discom} log key> --witness <${log.by.witnessName} key> --quorum 1\n      `);
    ok = (await runVerify(['checkpoint', file, '--vkey', log.vkey, '--witness', log.by.witnessVkey, '--quorum', '1'])) === 0 && ok;
    // And by code this project did not write: the Go client, cosignatures through transparency-dev/formats.
    ok = (await checkTiledLogs({ gatewayUrl: log.node.url, logs: [{ discom: log.discom, vkey: log.vkey, witness: log.by.witnessVkey }], outDir: path.join(o.outDir, 'tlog') })) && ok;
  }
  const receipt = await o.receipt();
  if (receipt === undefined) {
    console.log('    (no receipt of node A to show)');
    return false;
  }
  await writeFile(receipt.file, receipt.text);
  const [selfDiscom] = f.self.tenants as [string];
  process.stdout.write(`    $ ies verify receipt ${receipt.file} --vkey <${selfDiscom} log key> --witness <${f.peer.witnessName} key>   (signed at append time, proven inside the checkpoint B cosigned)\n      `);
  ok = (await runVerify(['receipt', receipt.file, '--vkey', f.self.logVkeys.get(selfDiscom)!, '--witness', f.peer.witnessVkey])) === 0 && ok;
  await writeFile(path.join(o.outDir, 'witnesses.txt'), `${f.self.witnessName} ${f.self.witnessVkey}\n${f.peer.witnessName} ${f.peer.witnessVkey}\n`);
  return ok;
}

/** The log's public checkpoint once it carries a cosignature line by `witness` (polled). */
async function cosignedCheckpoint(url: string, witness: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    const text = res?.ok ? await res.text() : '';
    if (text.split('\n').some((l) => l.startsWith(`— ${witness} `))) return text;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}
