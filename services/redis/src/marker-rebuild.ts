import type { Redis } from './connection.js';

/**
 * "Rebuild this tenant's store if Redis lost it", as every store rebuilt from Kafka or
 * ClickHouse does it: the store's marker key is written last by a rebuild, so a missing marker
 * means the store may be partial. Runs `rebuild` only then, and once at a time per tenant (a
 * watch loop and a request may both find the marker gone): a second caller waits for the run
 * in progress. Undefined when the marker is there.
 */
export class MarkerRebuilds<R> {
  private readonly running = new Map<string, Promise<R>>();

  constructor(
    private readonly redis: Redis,
    private readonly markerOf: (tenant: string) => string,
  ) {}

  async ensure(tenant: string, rebuild: () => Promise<R>): Promise<R | undefined> {
    if ((await this.redis.exists(this.markerOf(tenant))) === 1) return undefined;
    const running = this.running.get(tenant);
    if (running) return running;
    const run = rebuild().finally(() => this.running.delete(tenant));
    this.running.set(tenant, run);
    return run;
  }
}
