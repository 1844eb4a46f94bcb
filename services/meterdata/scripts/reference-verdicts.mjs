#!/usr/bin/env node
// Records the IES reference validator's verdict on every case of the conformance corpus
// (src/conformance/corpus.ts) into src/conformance/reference-verdicts.json, which the unit
// test compares our verdicts with. The validator is run where it lives, from a copy of the
// ies-accelerator repository; nothing of it is copied into this project.
//
//   npm run build
//   node services/meterdata/scripts/reference-verdicts.mjs <ies-accelerator checkout or bare git dir>
//
// Needs python3 with jsonschema (>= 4.18, for `referencing`), as the validator does. Each
// case is written to its own folder (with a MeterCategories.json when the case gives the
// registry's meter categories, which is where the validator reads them) and validated alone:
// exit 0 = VALID, exit 1 = INVALID (its messages kept), a Python traceback = CRASH.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(here, '../src/conformance/reference-verdicts.json');
const V06 = 'schemas/MeterData/v0.6';
const { conformanceCorpus, documentText } = await import(new URL('../dist/src/conformance/corpus.js', import.meta.url).href);

const source = process.argv[2];
if (!source) {
  console.error('usage: node services/meterdata/scripts/reference-verdicts.mjs <ies-accelerator checkout or git dir>');
  process.exit(2);
}
const python = process.env.PYTHON ?? 'python3';

const work = mkdtempSync(join(tmpdir(), 'ies-reference-'));
try {
  let root;
  let commit;
  if (existsSync(join(source, V06, 'validation/validator.py'))) {
    root = join(source, V06);
    commit = execFileSync('git', ['-C', source, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } else {
    // A bare mirror: export the v0.6 folder of HEAD.
    commit = execFileSync('git', ['--git-dir', source, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const tar = execFileSync('git', ['--git-dir', source, 'archive', 'HEAD', V06], { maxBuffer: 64 << 20 });
    execFileSync('tar', ['-x', '-C', work], { input: tar });
    root = join(work, V06);
  }
  const validation = join(root, 'validation');
  const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const ours = (name) => sha(fileURLToPath(new URL(`../src/domain/${name}`, import.meta.url)));
  // The verdicts mean something only if the reference reads the codes and schema we do.
  if (sha(join(root, 'IES codes.json')) !== ours('ies-codes.json')) throw new Error('the reference IES codes.json differs from src/domain/ies-codes.json');
  if (sha(join(root, 'schema.json')) !== ours('schema.json')) throw new Error('the reference schema.json differs from src/domain/schema.json');
  const versions = execFileSync(python, ['-c', 'import sys, importlib.metadata as m; print(sys.version.split()[0], m.version("jsonschema"))'], { encoding: 'utf8' }).trim().split(' ');

  const cases = {};
  conformanceCorpus().forEach((c, n) => {
    const dir = join(work, 'cases', String(n));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${c.id}.json`);
    writeFileSync(file, documentText(c.document));
    const meters = Object.entries(c.meterCategories).map(([id, category]) => ({ id, category }));
    if (meters.length > 0) writeFileSync(join(dir, 'MeterCategories.json'), JSON.stringify({ meters }));
    const run = spawnSync(python, ['validator.py', file], { cwd: validation, encoding: 'utf8' });
    const crashed = /Traceback \(most recent call last\)/.test(run.stderr);
    const verdict = crashed ? 'CRASH' : run.status === 0 ? 'VALID' : run.status === 1 ? 'INVALID' : 'CRASH';
    const errors = crashed
      ? [run.stderr.trim().split('\n').at(-1)]
      : run.stdout.split('\n').filter((l) => /^ {2}- /.test(l)).map((l) => l.slice(4));
    cases[c.id] = { sha256: c.sha256, verdict, errors };
    console.log(`${verdict.padEnd(7)} ${c.id}`);
  });
  const out = {
    generatedBy: 'services/meterdata/scripts/reference-verdicts.mjs',
    reference: { repository: 'India-Energy-Stack/ies-accelerator', commit, validator: `${V06}/validation/validator.py`, python: versions[0], jsonschema: versions[1] },
    cases,
  };
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${Object.keys(cases).length} verdicts to ${OUT}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
