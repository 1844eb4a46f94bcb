// Keeps `npm run test:sql` complete: every SQL builder and every table sink of a module that
// talks to ClickHouse is in scripts/sql-check/catalogue.mjs (so it runs on chDB too), and a
// source file that starts talking to ClickHouse must register there. Needs the full build,
// like the catalogue itself (the unit suite runs after `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface Entry { module: string; export: string; name: string }
interface Catalogue { ledger: { createDatabase: Entry; createTable: Entry; record: Entry[] }; migrations: { version: number }[]; rowBinaryInserts: Entry[]; inserts: Entry[]; queries: Entry[] }
const { MODULES, buildCatalogue } = (await import(pathToFileURL(path.join(root, 'scripts/sql-check/catalogue.mjs')).href)) as { MODULES: Record<string, string>; buildCatalogue: () => Promise<Catalogue> };

/**
 * Files that still send SQL of their own, each with what replaces it. Empty this list, do
 * not grow it: a new file that sends SQL registers in the catalogue instead.
 */
const PENDING: Record<string, string> = {};

/** A ClickHouse call (client.query/exec/command/insert with an options object) or a sink definition. */
const SENDS_SQL = /\.(query|exec|command|insert)\(\s*\{|new TableSink\b|\boneRowSink\(|:\s*Sink<\w+>\s*=/;
/** What a registered module must put in the catalogue: query builders and sinks. */
const BUILDERS = /export (?:async )?function (\w+Query)\(|export const (\w+)(?::\s*Sink<\w+>)?\s*=\s*(?:new TableSink\b|oneRowSink\(|\{)/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') && !name.startsWith('bench-')) out.push(p);
  }
  return out;
}

test('every migration version is used once across owners and every sample is accepted', async () => {
  const catalogue = await buildCatalogue();
  const versions = catalogue.migrations.map((m) => m.version);
  assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b));
  assert.ok(catalogue.queries.length > 0 && catalogue.inserts.length > 0 && catalogue.rowBinaryInserts.length > 0);
});

test('every query builder and sink of a registered module is in the catalogue', async () => {
  const catalogue = await buildCatalogue();
  const { ledger } = catalogue;
  const listed = new Set([ledger.createDatabase, ledger.createTable, ...ledger.record, ...catalogue.queries, ...catalogue.inserts, ...catalogue.rowBinaryInserts].map((e) => `${e.module}#${e.export}`));
  const missing: string[] = [];
  for (const file of Object.keys(MODULES)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(BUILDERS)) {
      const name = m[1] ?? m[2]!;
      const isSinkish = m[1] !== undefined || /Sink$|_TABLE$/.test(name);
      if (isSinkish && !listed.has(`${file}#${name}`)) missing.push(`${file}#${name}`);
    }
  }
  assert.deepEqual(missing, [], 'add these to scripts/sql-check/catalogue.mjs with sample values');
});

test('every source file that sends SQL is registered in the catalogue', () => {
  const services = path.join(root, 'services');
  const unregistered: string[] = [];
  for (const svc of readdirSync(services)) {
    const src = path.join(services, svc, 'src');
    if (!statSync(path.join(services, svc)).isDirectory() || !safeIsDir(src)) continue;
    for (const file of sources(src)) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      if (rel in MODULES || rel in PENDING) continue;
      if (SENDS_SQL.test(readFileSync(file, 'utf8'))) unregistered.push(rel);
    }
  }
  assert.deepEqual(unregistered, [], 'register these in MODULES of scripts/sql-check/catalogue.mjs (their SQL as builders with samples)');
});

function safeIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
