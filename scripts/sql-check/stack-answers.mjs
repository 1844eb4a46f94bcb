// The same catalogue on the local stack's ClickHouse (Debian's 18.16), in a throw-away
// database: migrations, seed inserts (the loader's RowBinary bytes as the loader sends them)
// and queries, whose answers check.py --compare sets beside chDB's. Needs the stack
// (infra/stack.sh up) and the build. `node scripts/sql-check/stack-answers.mjs out.json`
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCatalogue } from './catalogue.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href);
const { createClickHouse, insertBody } = await load('services/clickhouse/dist/src/index.js');
const { stackConfig } = await load('services/testing/dist/src/index.js');

const database = `sqlcheck_${randomBytes(4).toString('hex')}`;
const catalogue = await buildCatalogue(database);
const config = stackConfig();
const admin = createClickHouse(config, { database: 'default' });
const answers = {};
try {
  await admin.command({ query: catalogue.ledger.createDatabase.sql });
  await admin.command({ query: catalogue.ledger.createTable.sql });
  const ch = createClickHouse(config, { database });
  try {
    for (const [i, m] of catalogue.migrations.entries()) {
      for (const statement of m.statements) await ch.command({ query: statement });
      await ch.command({ query: catalogue.ledger.record[i].sql });
    }
    for (const e of catalogue.rowBinaryInserts) await insertBody(ch, e.table, e.columns, 'RowBinary', Buffer.from(e.hex, 'hex'));
    for (const e of catalogue.inserts) await insertBody(ch, e.table, undefined, 'JSONEachRow', e.rows);
    const version = await (await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json();
    answers['(version)'] = { text: version[0].v };
    // One session for all queries, as chDB runs them: a temporary table (reads.createMeterSet)
    // lives in the session that made it, for the query that joins it.
    const session_id = `${database}-queries`;
    for (const q of catalogue.queries) {
      const { stream } = await ch.exec({ query: /FORMAT \w+\s*$/.test(q.sql) || /^\s*(CREATE|INSERT)\b/i.test(q.sql) ? q.sql : `${q.sql} FORMAT JSONEachRow`, session_id });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      answers[q.name] = { hex: Buffer.concat(chunks).toString('hex') };
    }
  } finally {
    await ch.close();
  }
} finally {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
}
const out = process.argv[2] ?? path.join(root, 'out/sql-check/stack-answers.json');
writeFileSync(out, JSON.stringify(answers, null, 1));
console.log(`[sql-check] ${Object.keys(answers).length - 1} answers from ClickHouse ${answers['(version)'].text} → ${path.relative(root, out)}`);
