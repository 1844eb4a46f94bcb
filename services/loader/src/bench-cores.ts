// For bench:loader --split-cores: the local stack's ClickHouse on CPUs of its own, as it is
// on a deployment's own servers, and everything else of the bench (this process, the broker,
// the registry, Redis) on the other CPUs. Affinity is changed with util-linux `taskset` on
// processes the project's scripts started (their pid files in the stack's run directory) and
// put back as it was when the bench ends normally, on Ctrl-C (SIGINT) or on SIGTERM.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CoreSplit {
  /** CPU lists as taskset takes them, e.g. "1" and "0". */
  readonly clickhouse: string;
  readonly others: string;
  /** Puts every pinned process back on the CPUs it had. Idempotent. */
  restore(): void;
}

/** The CPUs of a taskset list ("0,1", "0-3", "0,2-5"), in order. */
export function cpusOfList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) throw new Error(`not a CPU list: ${JSON.stringify(list)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let c = from; c <= to; c += 1) out.push(c);
  }
  return out;
}

/** A process's CPU list, e.g. "0,1" or "0-3". */
export function affinityOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const list = /:\s*([0-9,-]+)\s*$/.exec(out.trim())?.[1];
  if (list === undefined) throw new Error(`taskset -p -c ${pid}: unexpected answer ${JSON.stringify(out)}`);
  return list;
}

/**
 * Every thread of `pid` (taskset -a) onto `cpus`. taskset stops at the first thread that
 * exits under it (ClickHouse and the JVM start and end threads), so it is tried again.
 */
function pin(pid: number, cpus: string): void {
  for (let attempt = 1; ; attempt += 1) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
      return;
    } catch (err) {
      if (attempt >= 3 || !alive(pid)) throw new Error(`taskset -a -p -c ${cpus} ${pid}: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`, { cause: err });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a live pid is one the stack's scripts started: a pid file can outlive its process
 * (a reboot) and name some other program. Ours name the stack folder in their command line
 * or run inside it (infra/lib.sh pid_alive).
 */
function ofStack(pid: number, stackDir: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(stackDir))) return true;
  } catch {
    // unreadable: fall through to the working directory
  }
  try {
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(stackDir);
  } catch {
    return false;
  }
}

/** The running stack's processes from `<stackDir>/run/*.pid`, by name (clickhouse, kafka-1, registry, redis). */
export function stackProcesses(stackDir: string): Map<string, number> {
  const dir = path.resolve(stackDir);
  const run = path.join(dir, 'run');
  const out = new Map<string, number>();
  let files: string[];
  try {
    files = readdirSync(run).filter((f) => f.endsWith('.pid'));
  } catch {
    return out;
  }
  for (const f of files) {
    const pid = Number(readFileSync(path.join(run, f), 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0 && alive(pid) && ofStack(pid, dir)) out.set(f.slice(0, -'.pid'.length), pid);
  }
  return out;
}

/**
 * The upper half of the CPUs this process may use (at least one) to ClickHouse, the rest to
 * this process and the stack's other processes. Throws, having changed nothing, when there
 * are fewer than two such CPUs, taskset is missing or ClickHouse's pid file names no process
 * of the stack.
 */
export function splitCores(stackDir: string): CoreSplit {
  const cpus = cpusOfList(affinityOf(process.pid));
  if (cpus.length < 2) throw new Error(`--split-cores needs at least 2 CPUs; this process may use ${cpus.length}`);
  const processes = stackProcesses(stackDir);
  const clickhousePid = processes.get('clickhouse');
  if (clickhousePid === undefined) throw new Error(`no running ClickHouse of the stack in ${path.join(path.resolve(stackDir), 'run', 'clickhouse.pid')} (start the stack with infra/stack.sh up)`);
  const upper = cpus.length - Math.max(1, Math.floor(cpus.length / 2));
  const split = { clickhouse: cpus.slice(upper).join(','), others: cpus.slice(0, upper).join(',') };
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
        console.error(`could not put pid ${pid} back on CPUs ${cpuList} (do it with: taskset -a -p -c ${cpuList} ${pid}): ${(err as Error).message}`);
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
