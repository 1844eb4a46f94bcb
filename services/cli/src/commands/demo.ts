import { randomUUID } from 'node:crypto';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@ies/config';
import { TOPICS, topicName } from '@ies/contracts';
import { exportPrivateJwk, generateSigningKey, verifyDetached } from '@ies/crypto';
import { startFanoutService } from '@ies/fanout';
import { startGateway } from '@ies/gateway';
import { AvroSerde, createKafka, provisionTenants } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { printSummary, simulate, yesterdayIst } from './simulate.js';
import { startNotaryService } from '@ies/notary';
import { startLoaderService } from '@ies/loader';
import { proveSample, type NotaryWatch, watchNotary } from './demo-proofs.js';
import { runDrDemo } from './demo-dr.js';
import { startDrService } from '@ies/dr';
import { loadSettlementPolicies, startSettlementService } from '@ies/settlement';
import { runP2pDemo } from './demo-p2p.js';
import { runStatementsDemo } from './demo-statements.js';
import { checkTiledLogs } from './demo-tlog.js';
import { planFederation, showWitnessing } from './demo-witness.js';

type Env = Readonly<Record<string, string | undefined>>;

const step = (n: number, text: string) => console.log(`\n[${n}] ${text}`);

/** The node operator's key pair under .stack/keys, made on first use. */
async function ensureOperatorKey(dir: string): Promise<string> {
  const privateFile = path.join(dir, 'operator.private.jwk.json');
  const jwksFile = path.join(dir, 'operator.jwks.json');
  const exists = await access(privateFile).then(() => true, () => false);
  if (!exists) {
    await mkdir(dir, { recursive: true });
    const key = await generateSigningKey('EdDSA');
    await writeFile(privateFile, `${JSON.stringify(await exportPrivateJwk(key), null, 2)}\n`, { mode: 0o600 });
    await writeFile(jwksFile, `${JSON.stringify({ keys: [key.publicJwk] }, null, 2)}\n`);
  }
  return jwksFile;
}

/**
 * The end-to-end demo: a gateway on the local stack, a simulated fleet of head-ends posting
 * one IST day of signed 15-minute reads through it, and one batch read back from Kafka and
 * re-verified from the record alone.
 */
export async function runDemo(_args: readonly string[], env: Env): Promise<number> {
  const discom = env.IES_DEMO_DISCOM ?? 'DEMO-DL';
  const peer = env.IES_DEMO_PEER_DISCOM ?? 'PEER-DL';
  const meters = Number(env.IES_DEMO_METERS ?? 3000);
  const keysDir = env.IES_KEYS_DIR ?? '.stack/keys';
  const jwksFile = await ensureOperatorKey(keysDir);
  // Services log only fatal errors here: kafkajs logs transient, retried conditions (a new
  // topic's leader not yet known) as errors, and the demo reports every real failure itself.
  // Two DISCOMs on one node. Settlement runs as soon as a window closed (no grace), the
  // platform may lodge the trades it confirmed on the morning of the simulated day, and the
  // demo asks for its statements itself (the scheduled sweep would have issued an empty R0
  // for the simulated day before its trades were lodged).
  // Settlement runs on a calendar (INITIAL, R1, FINAL) for the demo's two DISCOMs, which may
  // run early: the demo settles yesterday through two runs now rather than over a month.
  const policiesDir = env.IES_SETTLEMENT_POLICIES_DIR ?? (await writeDemoPolicies([discom, peer], path.join('.stack', 'demo', 'policies')));
  const gatewayEnv = {
    IES_SETTLEMENT_POLICIES_DIR: policiesDir,
    // One-time console links (ies console --as) on a node of this machine only, as config insists.
    IES_CONSOLE_SIGN_IN_LINKS: ['127.0.0.1', 'localhost', '::1'].includes(env.IES_HTTP_HOST ?? '127.0.0.1') ? 'true' : 'false',
    IES_SETTLEMENT_RECONCILE_GRACE_MS: '0', IES_P2P_TRADE_BACKFILL_MS: String(10 * 86_400_000), IES_SETTLEMENT_STATEMENT_GRACE_MS: String(10 * 86_400_000),
    ...env, IES_TENANTS: env.IES_TENANTS ?? `${discom},${peer}`, IES_OPERATOR_JWKS_FILE: jwksFile, IES_LOG_LEVEL: env.IES_LOG_LEVEL ?? 'fatal',
  };
  // The node listens where its configuration says (default 127.0.0.1:8080, IES_HTTP_PORT): its
  // public URL names the tenants' logs (checkpoint origin <host:port>/logs/<discom>), so every
  // run, `ies audit` and any log client see the same log under the same name.
  // The demo provisions its tenants (topics and ACLs) as the Kafka admin, as an operator
  // would with `ies tenants provision`; each service then connects as its own Kafka user.
  // A second node (B, its own tenant, port 8090) and this one witness each other's logs: keys
  // first, as operators exchange vkeys before they configure each other.
  const federation = await planFederation({ env: gatewayEnv, tenants: [discom, peer], peerDiscom: env.IES_DEMO_NODE_B_DISCOM ?? 'NORTH-DL', peerPort: Number(env.IES_DEMO_NODE_B_PORT ?? 8090), dir: path.join('.stack', 'demo-node-b', 'keys') });
  Object.assign(gatewayEnv, federation.nodeEnv);
  const config = loadConfig(gatewayEnv, { principal: 'admin' });
  console.log(`ies-backbone demo: tenants ${discom} and ${peer}, Kafka ${config.kafka.brokers.join(',')}, registry ${config.registry.url}`);
  await provisionTenants(config, config.tenants, createLogger({ name: 'ies-demo', level: 'fatal' }));

  const gateway = await startGateway(gatewayEnv);
  const fanout = await startFanoutService(gatewayEnv);
  const receiptLatencies: number[] = [];
  const notary = await startNotaryService(gatewayEnv, { observer: { appended: (_n, _size, receivedAt) => receiptLatencies.push(...receivedAt.map((t) => Date.now() - t)) } });
  const loader = await startLoaderService(gatewayEnv);
  const dr = await startDrService(gatewayEnv);
  const settlement = await startSettlementService(gatewayEnv, { sweepOnStart: false });
  let watch: NotaryWatch | undefined;
  try {
    await federation.start();
    step(1, `gateway listening on ${gateway.address} (tenant topics ensured, registry loaded: ${gateway.registry.size.meters} meters, ${gateway.registry.size.keys} keys); fan-out running (meter-reads.v1, dead-letter.v1)`);
    console.log(`    notary running (log ${notary.tenants.map((t) => `${t.log.origin} at size ${t.log.size}`).join(', ')}); loader writing reads to ClickHouse`);
    watch = await watchNotary({ config, gatewayUrl: gateway.address, discom, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json') });
    const day = yesterdayIst();
    step(2, `simulating ${meters} meters (residential, commercial, rooftop-PV prosumers) on 4 head-ends for IST day ${day}; signed compact-CSV batches of ≤1000 reads`);
    const summary = await simulate({
      gatewayUrl: gateway.address, discom, meters, headEnds: 4, day, seed: Number(env.IES_DEMO_SEED ?? 42),
      batchReads: 1000, concurrency: 8, rate: 0, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'), register: true, progress: true, faultRate: 0.001,
    });
    printSummary(summary);

    step(3, 'reading one accepted batch back from Kafka and re-verifying the head-end signature from the record alone');
    const log = createLogger({ name: 'ies-demo', level: 'fatal' });
    const kafka = createKafka(config, log);
    const serde = new AvroSerde({ registryUrl: config.registry.url });
    const consumer = kafka.consumer({ groupId: `ies-demo-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(discom, TOPICS.meterBatches), fromBeginning: true });
    const record = await new Promise<{ batchId: string; signature: string; body: Buffer; reads: unknown[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no batch consumed within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(await serde.decode(message.value as Buffer));
        },
      });
    });
    await consumer.disconnect();
    const header = await verifyDetached(record.body, record.signature, (kid) => gateway.registry.key(kid)?.jwk);
    console.log(`    batch ${record.batchId}: ${record.reads.length} reads, signed by kid ${header.kid} (${header.alg}), signature verifies over the ${record.body.length} stored body bytes`);

    step(4, 'notary: every accepted batch appended to the Merkle log, receipts signed; proving a random sample of reads and the log\'s consistency with `ies verify`');
    const proofs = await proveSample(watch, { batches: summary.batches - summary.failedBatches - summary.replayed, reads: summary.replayed === 0 ? summary.accepted : 0, sample: Number(env.IES_DEMO_PROOFS ?? 5), outDir: path.join('.stack', 'demo'), receiptLatencies });

    step(5, 'demand response: an aggregator, 21 days of history for its enrolled meters, an evening event it responds to, baselines and performance');
    const drResult = await runDrDemo({ config, gatewayUrl: gateway.address, discom, yesterday: day, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'), sweep: dr.sweep, seed: Number(env.IES_DEMO_SEED ?? 42) + 1000, meters: Number(env.IES_DEMO_DR_METERS ?? 100) });

    step(6, `P2P trading: ${peer} joins with a fleet of its own; a platform lodges intra- and inter-DISCOM trades for ${drResult.day}; each DISCOM allocates its own sides and they exchange them signed`);
    const p2p = await runP2pDemo({
      config, gatewayUrl: gateway.address, discoms: [discom, peer], day: drResult.day, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'),
      fleetA: { seed: Number(env.IES_DEMO_SEED ?? 42) + 1000, meters: drResult.fleet }, seed: Number(env.IES_DEMO_SEED ?? 42) + 2000, metersB: Number(env.IES_DEMO_PEER_METERS ?? 100), settlement,
    });

    step(7, `settlement statements of ${drResult.day}: each DISCOM's day through its calendar runs (INITIAL, a late read, R1, a dispute upheld, FINAL) and the DR event's statement, signed with the DISCOM's settlement key, pulled and verified offline`);
    const statementsOk = await runStatementsDemo({ config, gatewayUrl: gateway.address, discoms: [discom, peer], day: drResult.day, eventId: drResult.eventId, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'), outDir: path.join('.stack', 'demo', 'statements'), witness: federation.peer.witnessVkey, p2p });

    step(8, 'each tenant\'s log as a C2SP tiled log (c2sp.org/tlog-tiles), for any standard log client; checked by an independent one (tools/tlog-client, Go, golang.org/x/mod)');
    const logs = await Promise.all([discom, peer].map(async (d) => {
      const res = await watch!.get(`/v1/log/key?discom=${d}`);
      if (!res.ok) throw new Error(`the notary key of ${d}: ${res.status} ${await res.text()}`);
      return { discom: d, vkey: (await res.text()).split('\n')[0]!, ...(d === discom ? { earlier: path.join('.stack', 'demo', 'checkpoint-first.txt') } : {}) };
    }));
    const tiledOk = await checkTiledLogs({ gatewayUrl: gateway.address, logs, outDir: path.join('.stack', 'demo', 'tlog') });

    step(9, `two nodes witness each other (c2sp.org/tlog-witness): node B on ${federation.peer.url} with ${federation.peer.tenants.join(',')}; each cosigns the other's checkpoints`);
    const witnessedOk = await showWitnessing(federation, {
      day, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'), outDir: path.join('.stack', 'demo', 'witness'),
      receipt: async () => {
        const res = await watch!.get(`/v1/batches/${encodeURIComponent(record.batchId)}/receipt`);
        return res.ok ? { file: path.join('.stack', 'demo', 'witness', 'receipt.json'), text: await res.text() } : undefined;
      },
    });

    const ok = summary.failedBatches === 0 && summary.accepted > 0 && proofs.ok && drResult.ok && p2p.ok && statementsOk && tiledOk && witnessedOk;
    console.log(`\n${ok ? 'OK' : 'FAILED'}: ${summary.accepted} reads accepted and durable in Kafka, ${summary.rejected} rejected with reasons (dead-lettered); ${proofs.verified} read proofs and the run's consistency proof verified offline; DR event measured; ${p2p.trades} P2P trades (${p2p.interDiscom} inter-DISCOM) allocated; statements of ${discom} and ${peer} ${statementsOk ? 'verified and in agreement' : 'NOT verified'}; tiled logs ${tiledOk ? 'served' : 'NOT verified by the independent client'}; the two nodes' logs ${witnessedOk ? 'witnessed by each other' : 'NOT witnessed'}`);
    printConsoleSignIn(gateway.address, discom, peer);
    // Interactive runs (a terminal on stdin, not CI) keep the node serving for the console until Ctrl-C; CI and piped runs end here.
    if (process.stdin.isTTY && env.CI === undefined) {
      console.log('serving until interrupted (Ctrl-C)');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return ok ? 0 : 1;
  } finally {
    watch?.stop();
    await federation.stop();
    await settlement.stop();
    await dr.stop();
    await loader.stop();
    await notary.stop();
    await fanout.stop();
    await gateway.stop();
  }
}

/**
 * The shipped policy packs; the demo DISCOMs' (DEMO-DL, PEER-DL) ship with their settlement
 * calendar (INITIAL D+1, R1 D+5, FINAL D+30, early runs allowed) and dispute terms. A demo
 * DISCOM without a pack of its own (IES_DEMO_DISCOM) gets DEMO-DL's relabelled.
 */
async function writeDemoPolicies(discoms: readonly string[], dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const shipped = loadSettlementPolicies();
  const template = shipped.find((p) => p.discomId === 'DEMO-DL')!;
  const packs = [...shipped, ...discoms.filter((d) => !shipped.some((p) => p.discomId === d)).map((d) => ({ ...template, policyId: `${d}.demo`, discomId: d }))];
  for (const pack of packs) {
    await writeFile(path.join(dir, `${pack.discomId}.v${pack.version}.json`), `${JSON.stringify(pack, null, 2)}\n`);
  }
  return dir;
}

/** The demo's last words: where the console is and how to sign in as each of its roles. */
function printConsoleSignIn(address: string, discom: string, peer: string): void {
  const link = (as: string, extra = '') => `npx ies console --as ${as}${extra} --url ${address}`;
  console.log(`\nweb console: ${address}/console/`);
  console.log('  sign in with a one-time link: each command prints a link that works once, within 60 s (run it again for another); the session lasts 5 minutes');
  console.log(`  auditor (no sign-in for the public log):  ${address}/console/#/auditor?discom=${discom}`);
  console.log(`    with the log's witnesses:               ${link(`${discom}/AUDITOR`, ' --role AUDITOR --page auditor')}`);
  console.log(`  data engineer (DISCOM):                   ${link(`${discom}/DATA-ENGINEER`, ' --role DISCOM --page data')}`);
  console.log(`  settlement team (DISCOM):                 ${link(`${discom}/SETTLEMENT-DESK`)}   (or ${peer}/SETTLEMENT-DESK)`);
  console.log(`  aggregator:                               ${link(`${discom}/${discom}-AGG`)}`);
}
