import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '@ies/config';

/**
 * Config for integration tests: the local stack started by infra/stack.sh, with the same
 * credentials a service gets (loadConfig's defaults read the stack's secrets folder).
 * `principal` is the Kafka user the test's clients act as: a service's own principal for
 * the service under test, `admin` where the test provisions tenants or plays an outside party.
 */
export function stackConfig(overrides: Record<string, string> = {}, principal?: string): Config {
  return loadConfig({ ...process.env, ...overrides }, principal === undefined ? {} : { principal });
}

/**
 * A fresh tenant id per test run, so tests never see each other's topics or rows and can
 * run against a long-lived local stack without cleanup races.
 */
export function uniqueTenant(prefix = 'IT'): string {
  return `${prefix}-${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** A writable sink that drops everything (for loggers in tests). */
export function nullStream(): Writable {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A seeded generator (mulberry32) of numbers in [0, 1): every run of a randomised test draws the same cases, so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every Redis key matching `pattern` (SCAN, never KEYS: the stack's Redis is shared). */
export async function scanKeys(redis: { scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]> }, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

export { iesMeterDataFixtures, sharedFixture, sharedFixturesUrl } from './fixtures.js';
