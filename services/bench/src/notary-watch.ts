import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '@ies/config';
import { TOPICS, topicName } from '@ies/contracts';
import { AvroSerde, createKafka, type LogSink } from '@ies/kafka';
import { LogStore } from '@ies/notary/log';
import { checkpointSizeOf } from '@ies/verify';
import { createRedis } from '@ies/redis';

type Env = Readonly<Record<string, string | undefined>>;

export interface NotaryChild {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** The notary for the bench tenant as its own process, so its CPU and latency are its own. */
export function startNotaryChild(env: Env, cpuProfDir?: string, entry: 'bin.js' | 'bin-tiles.js' = 'bin.js'): NotaryChild {
  const bin = fileURLToPath(new URL(`./${entry}`, import.meta.resolve('@ies/notary')));
  const nodeArgs = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const child = spawn(process.execPath, [...nodeArgs, bin], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Samples the log's size (its latest checkpoint, in Redis) against the batches accepted so far. */
export function sampleLag(config: Config, tenant: string, accepted: () => number): { stop(): Promise<{ maxLag: number; lagAtEnd: number }> } {
  const redis = createRedis(config);
  const store = new LogStore(redis, tenant);
  let maxLag = 0;
  let lagAtEnd = 0;
  const probe = async () => {
    const note = await store.checkpoint();
    const size = note === undefined ? 0 : checkpointSizeOf(note);
    lagAtEnd = Math.max(0, accepted() - size);
    maxLag = Math.max(maxLag, lagAtEnd);
  };
  const timer = setInterval(() => void probe().catch(() => {}), 500);
  return {
    async stop() {
      clearInterval(timer);
      await probe().catch(() => {});
      redis.disconnect();
      return { maxLag, lagAtEnd };
    },
  };
}

/**
 * Reads receipts.v1 (read_committed) until `expected` receipts are there: latency per batch =
 * receipt record timestamp (set inside the notary's transaction, just before it commits) −
 * the batch's acceptedAt (when the gateway accepted it).
 */
export async function receiptLatencies(config: Config, tenant: string, expected: number, timeoutMs: number, sink: LogSink): Promise<{ latenciesMs: number[]; lastReceiptAt: number }> {
  const kafka = createKafka(config, sink);
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const consumer = kafka.consumer({ groupId: `ies-bench-receipts-${randomUUID()}`, readUncommitted: false });
  const latenciesMs: number[] = [];
  let lastReceiptAt = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: topicName(tenant, TOPICS.receipts), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${latenciesMs.length} of ${expected} receipts within ${timeoutMs / 1000} s: the notary did not keep up`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const r = await serde.decode<{ acceptedAt: string }>(message.value as Buffer);
            const at = Number(message.timestamp);
            latenciesMs.push(at - Date.parse(r.acceptedAt));
            lastReceiptAt = Math.max(lastReceiptAt, at);
            if (latenciesMs.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { latenciesMs, lastReceiptAt };
}

/** User + system CPU seconds of a child process so far (Linux /proc; fields 14 and 15 of stat, in clock ticks of 1/100 s). */
export function childCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
