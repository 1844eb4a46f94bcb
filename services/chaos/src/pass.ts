import path from 'node:path';
import { createClickHouse } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import type { KeyPair } from '@ies/crypto';
import { countReads } from '@ies/reads';
import { lodgeDrEvent, lodgeTrades, registerAll, waitAllocations } from './actors.js';
import { newStats, type ClientStats } from './client.js';
import { faultSchedule, runFaults, type FaultRecord } from './faults.js';
import { KafkaHeadEnd } from './kafka-headend.js';
import { AckLedger } from './ledger.js';
import { chaosNode } from './node.js';
import { watchLogs } from './log-watch.js';
import { registerSchemas } from './schemas.js';
import { sleep } from './processes.js';
import type { ChaosStack } from './stack.js';
import { issueStatements } from './statements.js';
import { buildBatches, buildFleets, runLoad, type LoadFigures, type WorkloadOptions } from './workload.js';

export interface PassResult {
  name: string;
  load: LoadFigures;
  stats: ClientStats;
  faults: FaultRecord[];
  stored: Record<string, number>;
  statements: Record<string, unknown>[];
  ledger: AckLedger;
  /** What a log monitor kept during the pass: verifier keys and the checkpoints served. */
  logs: { keys: Record<string, string[]>; checkpoints: Record<string, string[]> };
  problems: string[];
}

export interface PassOptions {
  name: 'reference' | 'faulted';
  stack: ChaosStack;
  config: Config;
  operator: KeyPair;
  jwksFile: string;
  workload: WorkloadOptions;
  loadSeconds: number;
  outDir: string;
  base: Record<string, string | undefined>;
  /** Wall-clock bound on the whole pass (epoch ms). */
  deadline: number;
  say(line: string): void;
}

/**
 * Waits (bounded) until ClickHouse holds the accepted reads of each fleet, or its count has
 * not moved for 20 s (the auditor, not this wait, judges whether each read is there once).
 */
async function drain(config: Config, expected: Record<string, number>, discoms: readonly string[], timeoutMs: number): Promise<Record<string, number>> {
  const ch = createClickHouse(config);
  const stored: Record<string, number> = {};
  try {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let since = Date.now();
    for (;;) {
      for (const [i, d] of discoms.entries()) stored[d] = await countReads(ch, d, { meterIdPrefix: `CH${i + 1}-` }).catch(() => stored[d] ?? 0);
      if (discoms.every((d) => (stored[d] ?? 0) >= (expected[d] ?? 0)) || Date.now() > deadline) return stored;
      const now = JSON.stringify(stored);
      if (now !== last) [last, since] = [now, Date.now()];
      else if (Date.now() - since > 20_000 && discoms.every((d) => (stored[d] ?? 0) > 0)) return stored;
      await sleep(2000);
    }
  } finally {
    await ch.close();
  }
}

/** One pass of the seeded workload over a fresh node on the campaign's stack, with or without faults. */
export async function runPass(o: PassOptions): Promise<PassResult> {
  const discoms = o.workload.discoms;
  const node = chaosNode(o.stack.env, { keysDir: path.join(o.stack.dir, 'keys'), jwksFile: o.jwksFile, logDir: path.join(o.outDir, `logs-${o.name}`), base: o.base });
  const ledger = new AckLedger(path.join(o.outDir, `ack-ledger-${o.name}.jsonl`));
  const stats = newStats();
  const problems: string[] = [];
  try {
    problems.push(...(await registerSchemas(o.config, discoms)).map((p) => `schema registration: ${p}`));
    await node.start();
    o.say(`${o.name}: node up (${node.all().map((p) => `${p.name} pid ${p.pid}`).join(', ')})`);
    const fleets = await buildFleets(o.workload);
    const actors = await registerAll(node.urls[0]!, o.operator, fleets, o.workload.day);
    // Every process materialises registry.v1 on its own; give them a moment before the first batch.
    await sleep(5000);
    const watch = watchLogs(node.urls, actors, discoms, o.config.nodeId);
    const batches = buildBatches(o.workload, fleets);
    o.say(`${o.name}: ${batches.length} batches (${batches.filter((b) => b.via === 'kafka').length} produced to Kafka) over ${o.loadSeconds} s, a DR event and ${actors.trades.length} trades`);
    const t0 = Date.now();
    const faultLog = o.name === 'faulted'
      ? runFaults(faultSchedule(o.stack, node, o.config, discoms), t0, (r) => o.say(`  fault +${r.offsetS}s ${r.at} ${r.fault}: ${r.detail}`))
      : Promise.resolve([]);
    const loadDeadline = Math.min(o.deadline, t0 + (o.loadSeconds + 120) * 1000);
    const side = (async () => {
      const dr = await lodgeDrEvent(node.urls, actors, discoms[0]!, o.workload.day, o.workload.seed, loadDeadline, ledger, stats);
      if (dr) problems.push(dr);
      problems.push(...(await lodgeTrades(node.urls, actors, loadDeadline, ledger, stats)));
    })();
    const kafkaHeadEnd = await KafkaHeadEnd.open(o.config);
    const load = await runLoad(node.urls, fleets, batches, o.loadSeconds * 1000, loadDeadline, ledger, stats, kafkaHeadEnd).finally(() => kafkaHeadEnd.close());
    await side;
    const faults = await faultLog;
    problems.push(...load.batchesUnanswered.map((b) => `unanswered batch ${b}`));
    o.say(`${o.name}: load done (${load.batchesAcked}/${load.batches} batches acked); draining to ClickHouse`);
    const stored = await drain(o.config, load.acceptedByDiscom, discoms, Math.max(10_000, Math.min(180_000, o.deadline - Date.now())));
    await watch.stop();
    o.say(`${o.name}: reads accepted ${JSON.stringify(load.acceptedByDiscom)}, stored ${JSON.stringify(stored)}; waiting for the trades' final allocations`);
    problems.push(...(await waitAllocations(node.urls[0]!, actors, o.config.nodeId, Math.max(10_000, Math.min(120_000, o.deadline - Date.now())))));
    const st = await issueStatements(node.urls[0]!, actors, discoms, o.workload.day, o.config.nodeId, Math.max(10_000, Math.min(120_000, o.deadline - Date.now())));
    problems.push(...st.problems);
    return { name: o.name, load, stats, faults, stored, statements: st.contents, ledger, logs: { keys: watch.keys, checkpoints: watch.checkpoints }, problems };
  } finally {
    await node.stop();
  }
}
