import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/**
 * The shared fixtures (IES MeterData, DEG P2P and demand-flex payloads) that conformance
 * tests read in place and never copy (CC BY-NC-SA): `IES_SHARED_FIXTURES`, else `shared/fixtures`
 * beside the repository, else the workplace's `/work/shared/fixtures` (CI clones elsewhere).
 * A `file:` URL ending in '/', or undefined when none exists.
 */
export function sharedFixturesUrl(env: Readonly<Record<string, string | undefined>> = process.env): URL | undefined {
  // Compiled: services/testing/dist/src/index.js, four levels below the repository root.
  const candidates = [env.IES_SHARED_FIXTURES, fileURLToPath(new URL('../../../../../shared/fixtures/', import.meta.url)), '/work/shared/fixtures'];
  for (const dir of candidates) if (dir && existsSync(dir)) return pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`);
  return undefined;
}
