// For bench:loader --split-cores: the local stack's ClickHouse on CPUs of its own, as it is
// on a deployment's own servers, and everything else of the bench (this process, the broker,
// the registry, Redis) on the other CPUs. Affinity is changed with util-linux `taskset` on
// processes the project's scripts started (their pid files in the stack's run directory) and
// put back as it was when the bench ends, however it ends.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CoreSplit {
  /** CPU lists as taskset takes them, e.g. "1" and "0". */
  readonly clickhouse: string;
  readonly others: string;
  /** Puts every pinned process back on the CPUs it had. Idempotent. */
  restore(): void;
}

/** A process's CPU list, e.g. "0,1" or "0-3". */
function affinityOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
  const list = /:\s*([0-9,-]+)\s*$/.exec(out.trim())?.[1];
  if (list === undefined) throw new Error(`taskset -p -c ${pid}: unexpected answer ${JSON.stringify(out)}`);
  return list;
}

/** Every thread of `pid` (taskset -a) onto `cpus`. */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running stack's processes from `<stackDir>/run/*.pid`, by name (clickhouse, kafka-1, registry, redis). */
export function stackProcesses(stackDir: string): Map<string, number> {
  const run = path.join(stackDir, 'run');
  const out = new Map<string, number>();
  let files: string[];
  try {
    files = readdirSync(run).filter((f) => f.endsWith('.pid'));
  } catch {
    return out;
  }
  for (const f of files) {
    const pid = Number(readFileSync(path.join(run, f), 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) out.set(f.slice(0, -'.pid'.length), pid);
  }
  return out;
}

/**
 * The upper half of the CPUs (at least one) to ClickHouse, the rest to this process and the
 * stack's other processes. Throws, having changed nothing, when the machine has one CPU,
 * taskset is missing or ClickHouse's pid file is not there.
 */
export function splitCores(stackDir: string): CoreSplit {
  const cpus = os.cpus().length;
  if (cpus < 2) throw new Error(`--split-cores needs at least 2 CPUs; this machine has ${cpus}`);
  const processes = stackProcesses(stackDir);
  const clickhousePid = processes.get('clickhouse');
  if (clickhousePid === undefined) throw new Error(`--split-cores: no running ClickHouse in ${path.join(stackDir, 'run', 'clickhouse.pid')} (start the stack with infra/stack.sh up)`);
  const first = cpus - Math.max(1, Math.floor(cpus / 2));
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  const split = { clickhouse: range(first, cpus - 1), others: range(0, first - 1) };
  const targets: [number, string][] = [[clickhousePid, split.clickhouse], [process.pid, split.others]];
  for (const [name, pid] of processes) if (name !== 'clickhouse') targets.push([pid, split.others]);
  const before = targets.map(([pid]) => [pid, affinityOf(pid)] as const);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const [pid, cpuList] of before) {
      if (!alive(pid)) continue;
      try {
        pin(pid, cpuList);
      } catch (err) {
        console.error(`could not put pid ${pid} back on CPUs ${cpuList}: ${(err as Error).message}`);
      }
    }
  };
  // A bench stopped with Ctrl-C or kill leaves the stack as it found it.
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  };
  process.on('exit', restore);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const [pid, cpuList] of targets) pin(pid, cpuList);
  } catch (err) {
    restore();
    throw err;
  }
  return { ...split, restore };
}
