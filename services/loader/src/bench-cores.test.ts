import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { splitCores, stackProcesses } from './bench-cores.js';

function stackDir(pids: Record<string, number | string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ies-bench-cores-'));
  mkdirSync(path.join(dir, 'run'));
  for (const [name, pid] of Object.entries(pids)) writeFileSync(path.join(dir, 'run', `${name}.pid`), `${pid}\n`);
  writeFileSync(path.join(dir, 'run', 'kafka.brokers'), '127.0.0.1:9092\n');
  return dir;
}

test('the stack processes are the live pids of the run directory, by file name', (t) => {
  const exited = spawnSync(process.execPath, ['-e', '']).pid as number;
  const dir = stackDir({ clickhouse: process.pid, 'kafka-1': exited, redis: 'not a pid' });
  t.after(() => rmSync(dir, { recursive: true }));
  assert.deepEqual([...stackProcesses(dir)], [['clickhouse', process.pid]]);
  assert.equal(stackProcesses(path.join(dir, 'nowhere')).size, 0);
});

test('splitting cores without a running ClickHouse says so and changes nothing', (t) => {
  const dir = stackDir({ redis: process.pid });
  t.after(() => rmSync(dir, { recursive: true }));
  const before = process.listenerCount('exit');
  assert.throws(() => splitCores(dir), os.cpus().length < 2 ? /at least 2 CPUs/ : /no running ClickHouse in .*clickhouse\.pid/);
  assert.equal(process.listenerCount('exit'), before);
});

test('ClickHouse gets the upper half of the CPUs, the rest the lower half, and restore puts both back', { skip: os.cpus().length < 2 || spawnSync('taskset', ['-V']).status !== 0 ? 'needs 2 CPUs and taskset' : false }, (t) => {
  const clickhouse = spawn('sleep', ['60'], { stdio: 'ignore' });
  const broker = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => {
    clickhouse.kill();
    broker.kill();
  });
  const dir = stackDir({ clickhouse: clickhouse.pid as number, 'kafka-1': broker.pid as number });
  t.after(() => rmSync(dir, { recursive: true }));
  const cpus = (pid: number) => /:\s*(\S+)\s*$/.exec(execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).trim())?.[1];
  const before = [clickhouse.pid, broker.pid, process.pid].map((pid) => cpus(pid as number));
  const split = splitCores(dir);
  try {
    const n = os.cpus().length;
    const upper = n - Math.max(1, Math.floor(n / 2));
    const list = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
    assert.equal(split.clickhouse, list(upper, n - 1));
    assert.equal(split.others, list(0, upper - 1));
    assert.equal(cpus(clickhouse.pid as number), split.clickhouse);
    assert.equal(cpus(broker.pid as number), split.others);
    assert.equal(cpus(process.pid), split.others);
  } finally {
    split.restore();
  }
  assert.deepEqual([clickhouse.pid, broker.pid, process.pid].map((pid) => cpus(pid as number)), before);
  split.restore(); // a second call changes nothing
});
