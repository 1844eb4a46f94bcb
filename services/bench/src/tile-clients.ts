import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openLoop, type LoadResult, type LoadTarget } from './http-load.js';

/**
 * The tile load of bench:tiles in a child process at a lower scheduling priority: it stands
 * for log clients on other machines, so on this machine's shared cores it takes only CPU that
 * ingest leaves (as the tile server ies-tiles does). What the bench then measures is whether
 * serving takes CPU from ingest, not whether this machine can also host the clients; the
 * tile rate the clients achieved is printed beside it.
 */
export function openLoopElsewhere(target: LoadTarget & { rate: number }, nice: number): { stop(): Promise<LoadResult> } {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(target), String(nice)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('exit', (code) => reject(new Error(`the tile-client process exited (${code}) before reporting`)));
  });
  return {
    async stop() {
      child.send('stop');
      return result;
    },
  };
}

// As the child: run the open loop until told to stop, then report.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const target = JSON.parse(process.argv[2] as string) as LoadTarget & { rate: number };
  try {
    setPriority(0, Number(process.argv[3]));
  } catch {
    // Left at normal priority; the parent prints what the clients achieved either way.
  }
  const load = openLoop(target);
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void load.stop().then((r) => process.send!(r, () => process.exit(0)));
  });
}
