import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { affinityOf, cpusOfList, splitCores, stackProcesses } from './bench-cores.js';

function stackDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ies-bench-cores-'));
  mkdirSync(path.join(dir, 'run'));
  t.after(() => rmSync(dir, { recursive: true }));
  return dir;
}

function writePids(dir: string, pids: Record<string, number | string>): void {
  for (const [name, pid] of Object.entries(pids)) writeFileSync(path.join(dir, 'run', `${name}.pid`), `${pid}\n`);
}

/** A process "of the stack": it runs inside the stack folder, as Redis does. */
function stackChild(t: { after(fn: () => void): void }, dir: string): number {
  const child = spawn('sleep', ['60'], { cwd: dir, stdio: 'ignore' });
  t.after(() => child.kill());
  return child.pid as number;
}

// As splitCores counts them: the CPUs this process may use.
const canSplit = spawnSync('taskset', ['-V']).status === 0 && cpusOfList(affinityOf(process.pid)).length >= 2;

test('CPU lists as taskset writes them', () => {
  assert.deepEqual(cpusOfList('0'), [0]);
  assert.deepEqual(cpusOfList('0,1'), [0, 1]);
  assert.deepEqual(cpusOfList('0-3'), [0, 1, 2, 3]);
  assert.deepEqual(cpusOfList('0,2-4,7'), [0, 2, 3, 4, 7]);
  assert.throws(() => cpusOfList('0-'), /not a CPU list/);
});

test('the stack processes are the live pids of the run directory that belong to the stack', { skip: process.platform !== 'linux' && 'reads /proc' }, (t) => {
  const dir = stackDir(t);
  const exited = spawnSync(process.execPath, ['-e', '']).pid as number;
  const clickhouse = stackChild(t, dir);
  // A live process that is not the stack's (a pid file left from before a reboot, its pid reused).
  writePids(dir, { clickhouse, 'kafka-1': exited, registry: process.pid, redis: 'not a pid' });
  assert.deepEqual([...stackProcesses(dir)], [['clickhouse', clickhouse]]);
  assert.equal(stackProcesses(path.join(dir, 'nowhere')).size, 0);
});

test('splitting cores without a running ClickHouse says so and changes nothing', { skip: !canSplit && 'needs 2 CPUs and taskset' }, (t) => {
  const dir = stackDir(t);
  writePids(dir, { redis: stackChild(t, dir) });
  const before = [process.listenerCount('exit'), process.listenerCount('SIGINT'), affinityOf(process.pid)];
  assert.throws(() => splitCores(dir), /no running ClickHouse of the stack in .*clickhouse\.pid/);
  assert.deepEqual([process.listenerCount('exit'), process.listenerCount('SIGINT'), affinityOf(process.pid)], before);
});

test('ClickHouse gets the upper half of the CPUs, the rest the lower half, and restore puts both back', { skip: !canSplit && 'needs 2 CPUs and taskset' }, (t) => {
  const dir = stackDir(t);
  const clickhouse = stackChild(t, dir);
  const broker = stackChild(t, dir);
  writePids(dir, { clickhouse, 'kafka-1': broker });
  const pids = [clickhouse, broker, process.pid];
  const cpus = (pid: number) => cpusOfList(affinityOf(pid));
  const before = pids.map(cpus);
  const mine = cpusOfList(affinityOf(process.pid));
  const split = splitCores(dir);
  try {
    const upper = mine.length - Math.max(1, Math.floor(mine.length / 2));
    assert.deepEqual(cpusOfList(split.clickhouse), mine.slice(upper));
    assert.deepEqual(cpusOfList(split.others), mine.slice(0, upper));
    assert.deepEqual(cpus(clickhouse), mine.slice(upper));
    assert.deepEqual(cpus(broker), mine.slice(0, upper));
    assert.deepEqual(cpus(process.pid), mine.slice(0, upper));
  } finally {
    split.restore();
  }
  assert.deepEqual(pids.map(cpus), before);
  split.restore(); // a second call changes nothing
  assert.deepEqual(pids.map(cpus), before);
});
