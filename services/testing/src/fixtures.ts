/**
 * Where tests find their fixture files, in one place:
 * - the shared fixtures (IES MeterData, DEG P2P and demand-flex payloads, CC BY-NC-SA) that
 *   conformance tests read in place and never copy: `IES_SHARED_FIXTURES`, else
 *   `shared/fixtures` beside the repository, else the workplace's `/work/shared/fixtures`;
 * - the IES MeterData v0.6 vectors copied into the project (MIT, services/meterdata/testdata).
 * CI always has both, so a test that needs one fails with a clear message when it is missing
 * instead of skipping silently.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Compiled: services/testing/dist/src/fixtures.js, four levels below the repository root.
const REPOSITORY = new URL('../../../../', import.meta.url);
type Env = Readonly<Record<string, string | undefined>>;

function candidates(env: Env): string[] {
  return [env.IES_SHARED_FIXTURES, fileURLToPath(new URL('../shared/fixtures/', REPOSITORY)), '/work/shared/fixtures'].filter((d): d is string => d !== undefined && d !== '');
}

/** The shared fixtures folder as a `file:` URL ending in '/', or undefined when none exists. */
export function sharedFixturesUrl(env: Env = process.env): URL | undefined {
  for (const dir of candidates(env)) if (existsSync(dir)) return pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`);
  return undefined;
}

/**
 * A file or folder of the shared fixtures (`deg-p2p-wave2/`, `deg-demand-flex/…`); throws,
 * naming where it looked, when the fixtures or that entry are missing.
 */
export function sharedFixture(relative = '', env: Env = process.env): URL {
  const dir = sharedFixturesUrl(env);
  if (dir === undefined) {
    throw new Error(`shared fixtures not found (looked in ${candidates(env).join(', ')}): conformance tests need them; clone them to ../shared/fixtures beside the repository or set IES_SHARED_FIXTURES`);
  }
  const url = new URL(relative, dir);
  if (!existsSync(url)) throw new Error(`shared fixture ${relative} not found in ${fileURLToPath(dir)}`);
  return url;
}

/** A file or folder of the IES MeterData v0.6 vectors kept in the project (`examples/`, `validation-cases/…`). */
export function iesMeterDataFixtures(relative = ''): URL {
  const url = new URL(`services/meterdata/testdata/ies-meterdata-v0.6/${relative}`, REPOSITORY);
  if (!existsSync(url)) throw new Error(`IES MeterData fixture ${relative || '(folder)'} not found at ${fileURLToPath(url)}`);
  return url;
}
