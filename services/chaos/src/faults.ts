import { createRedis } from '@ies/redis';
import type { Config } from '@ies/config';
import type { ChaosNode } from './node.js';
import type { ChaosStack } from './stack.js';
import { ServiceProcess, sleep, waitReady } from './processes.js';

/** Beside the node's two gateways (node.ts GATEWAY_PORTS). */
const THIRD_GATEWAY_PORT = 18182;

export interface FaultRecord { at: string; offsetS: number; fault: string; detail: string; ok: boolean }

interface Fault { atS: number; name: string; run(): Promise<string> }

/** SIGSTOP a stack part for a while, then SIGCONT it; only the pid the stack script recorded. */
async function pause(stack: ChaosStack, part: string, seconds: number): Promise<string> {
  const pid = stack.pid(part);
  if (pid === undefined) throw new Error(`no pid file for ${part}`);
  process.kill(pid, 'SIGSTOP');
  try {
    await sleep(seconds * 1000);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  return `pid ${pid} stopped ${seconds} s`;
}

async function killAndRestart(p: ServiceProcess, url?: string): Promise<string> {
  const pid = p.pid;
  await p.kill();
  await sleep(2000);
  p.start();
  if (url) await waitReady(url, p, 120_000);
  return `pid ${pid} killed, restarted as pid ${p.pid}`;
}

/**
 * The schedule of the faulted pass, by offset from the start of the load. Every fault is
 * bounded (its own waits time out) and logged with its time, whether it went as planned.
 */
export function faultSchedule(stack: ChaosStack, node: ChaosNode, adminConfig: Config, discoms: readonly string[]): Fault[] {
  const s = node.services;
  const [tenant, other] = [discoms[0]!, discoms[discoms.length - 1]!];
  // A gateway serving only one DISCOM comes and goes: the head-end intake's consumer groups
  // rebalance twice, and no DISCOM's submissions may be left unread (one group per tenant).
  const third = new ServiceProcess('gateway-3', 'gateway', { ...node.gateways[0]!.env, IES_TENANTS: other, IES_HTTP_PORT: String(THIRD_GATEWAY_PORT) }, node.gateways[0]!.logDir);
  return [
    {
      atS: 125, name: `gateway-3 (${other} only) joins`, run: async () => {
        third.start();
        await waitReady(`http://127.0.0.1:${THIRD_GATEWAY_PORT}`, third, 120_000);
        return `pid ${third.pid} ready, serving ${other}`;
      },
    },
    {
      atS: 185, name: 'gateway-3 leaves (SIGTERM)', run: async () => {
        const pid = third.pid;
        await third.stop();
        return `pid ${pid} stopped`;
      },
    },
    { atS: 15, name: 'SIGKILL gateway-1 + restart', run: () => killAndRestart(node.gateways[0]!, node.urls[0]) },
    { atS: 30, name: 'SIGKILL fanout + restart', run: () => killAndRestart(s.fanout) },
    { atS: 45, name: 'SIGKILL notary + restart', run: () => killAndRestart(s.notary) },
    { atS: 60, name: 'SIGKILL loader + restart', run: () => killAndRestart(s.loader) },
    { atS: 75, name: 'SIGKILL dr + restart', run: () => killAndRestart(s.dr) },
    { atS: 90, name: 'SIGKILL settlement + restart', run: () => killAndRestart(s.settlement) },
    {
      atS: 155, name: 'SIGKILL kafka-2, restart after 20 s', run: async () => {
        const pid = stack.pid('kafka-2');
        if (pid === undefined) throw new Error('no pid file for kafka-2');
        process.kill(pid, 'SIGKILL');
        await sleep(20_000);
        await stack.up();
        return `pid ${pid} killed; restarted as pid ${stack.pid('kafka-2')}`;
      },
    },
    { atS: 195, name: 'SIGSTOP/SIGCONT clickhouse 20 s', run: () => pause(stack, 'clickhouse', 20) },
    { atS: 220, name: 'SIGSTOP/SIGCONT redis 10 s', run: () => pause(stack, 'redis', 10) },
    {
      atS: 235, name: 'Redis FLUSHALL (chaos stack)', run: async () => {
        const redis = createRedis(adminConfig, { failFast: true });
        try {
          const keys = await redis.dbsize();
          await redis.flushall();
          return `${keys} keys dropped on ${adminConfig.redis.url}`;
        } finally {
          redis.disconnect();
        }
      },
    },
    {
      atS: 105, name: `second notary for ${tenant}`, run: async () => {
        const second = new ServiceProcess('notary-2', 'notary', { ...s.notary.env, IES_TENANTS: tenant }, s.notary.logDir);
        second.start();
        // Fencing: the newer transactional producer fences the older; one of the two must stop.
        const deadline = Date.now() + 45_000;
        while (s.notary.running && second.running && Date.now() < deadline) await sleep(500);
        const fenced = !s.notary.running ? 'notary (the first)' : !second.running ? 'notary-2 (the second)' : undefined;
        await second.stop();
        if (!s.notary.running) s.notary.start();
        if (fenced === undefined) throw new Error(`both notaries of ${tenant} kept running for 45 s under load: fencing stopped neither (notary-2 stopped by the campaign)`);
        return `fenced: ${fenced} exited; notary-2 stopped, notary running as pid ${s.notary.pid}`;
      },
    },
  ];
}

/** Runs the schedule against the clock of the load; resolves with the log of faults. */
export async function runFaults(faults: readonly Fault[], t0: number, log: (r: FaultRecord) => void): Promise<FaultRecord[]> {
  const out: FaultRecord[] = [];
  for (const f of [...faults].sort((a, b) => a.atS - b.atS)) {
    await sleep(Math.max(0, t0 + f.atS * 1000 - Date.now()));
    const started = Date.now();
    let detail: string;
    let ok = true;
    try {
      detail = await f.run();
    } catch (err) {
      ok = false;
      detail = `FAILED: ${(err as Error).message}`;
    }
    const r = { at: new Date(started).toISOString(), offsetS: Math.round((started - t0) / 1000), fault: f.name, detail, ok };
    out.push(r);
    log(r);
  }
  return out;
}
