#!/usr/bin/env node
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

/**
 * `bench:ingest --gateways N`: N gateway processes behind one port (node:cluster; Node 20 has
 * no SO_REUSEPORT). The primary only forks, hands connections round-robin to the workers and
 * forwards SIGTERM; each worker is the ordinary gateway entry point (services/gateway bin.js).
 */
const workers = Number(process.env.IES_BENCH_GATEWAYS ?? '1');
if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', (worker, code) => {
    if (!stopping) console.error(`gateway worker ${worker.process.pid} exited (${code}) before the bench stopped it`);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
  });
} else {
  await import(fileURLToPath(new URL('./bin.js', import.meta.resolve('@ies/gateway'))));
}
