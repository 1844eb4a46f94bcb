import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { IesError } from '@ies/errors';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { AvroSerde, DEFAULT_SCHEMAS_DIR } from '../../src/index.js';

const config = stackConfig();
const serde = new AvroSerde({ registryUrl: config.registry.url });

const v1 = { type: 'record', name: 'Probe', namespace: 'it', fields: [{ name: 'meterId', type: 'string' }] };

test('the registry refuses a change that is not BACKWARD compatible, and accepts one that is', async () => {
  const subject = `ies.${uniqueTenant()}.compat-probe.v1-value`;
  const id1 = await serde.registerSchema(subject, JSON.stringify(v1));
  const incompatible = { ...v1, fields: [...v1.fields, { name: 'wh', type: 'long' }] };
  await assert.rejects(serde.registerSchema(subject, JSON.stringify(incompatible)), (err: unknown) => {
    assert.ok(err instanceof IesError);
    assert.equal(err.code, 'IES_ERR_SCHEMA_INCOMPATIBLE');
    return true;
  });
  const compatible = { ...v1, fields: [...v1.fields, { name: 'wh', type: 'long', default: 0 }] };
  const id2 = await serde.registerSchema(subject, JSON.stringify(compatible));
  assert.notEqual(id2, id1);
  assert.equal(await serde.registerSchema(subject, JSON.stringify(compatible)), id2, 'registering the same schema again is idempotent');
});

/** Commits that touched `rel`, oldest first; none outside a git checkout. */
function gitLog(repo: string, rel: string): string[] {
  try {
    return execFileSync('git', ['log', '--format=%H', '--reverse', '--', rel], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * CI gate for schemas-avro/: every committed version of each schema, oldest first, then the
 * working copy, must register in sequence under BACKWARD compatibility.
 */
test('every schema in schemas-avro/ is BACKWARD compatible with all its committed versions', async () => {
  const repo = path.resolve(DEFAULT_SCHEMAS_DIR, '..');
  const files = readdirSync(DEFAULT_SCHEMAS_DIR).filter((f) => f.endsWith('.avsc'));
  assert.ok(files.length > 0);
  for (const file of files) {
    const rel = `schemas-avro/${file}`;
    const commits = gitLog(repo, rel);
    const versions = commits.map((c) => execFileSync('git', ['show', `${c}:${rel}`], { cwd: repo, encoding: 'utf8' }));
    versions.push(await serde.loadSchema(file));
    const subject = `ies.${uniqueTenant()}.${file.replace(/\.avsc$/, '')}-value`;
    for (const [i, text] of versions.entries()) {
      await serde.registerSchema(subject, text).catch((err: unknown) => {
        throw new Error(`${rel}: version ${i + 1} of ${versions.length} is not BACKWARD compatible with the earlier ones: ${(err as Error).message}`);
      });
    }
  }
});

test('processes registering a new subject at the same moment all get its one id (the registry answers the losers of its rule race with 409)', async () => {
  const subject = `ies.${uniqueTenant()}.race-probe.v1-value`;
  // Separate serdes, as separate processes would be: no shared in-memory registration.
  const racers = Array.from({ length: 6 }, () => new AvroSerde({ registryUrl: config.registry.url }));
  const ids = await Promise.all(racers.map((s) => s.registerSchema(subject, JSON.stringify(v1))));
  assert.equal(new Set(ids).size, 1, `one id for one schema, got ${ids.join(', ')}`);
});
