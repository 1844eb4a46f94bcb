/**
 * A service's process entry point: starts it, and on SIGINT or SIGTERM stops it (so consumers
 * leave their groups and producers flush) before the process exits.
 */
export async function runUntilSignalled<S extends { stop(): Promise<void> }>(start: () => Promise<S>): Promise<S> {
  const service = await start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
  return service;
}
