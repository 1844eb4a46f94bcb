import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { USAGE } from './cli.js';

// The README is what a new user types; every command it lists must exist as written.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = [3, 4].map((up) => path.resolve(here, ...Array<string>(up).fill('..'))).find((dir) => existsSync(path.join(dir, 'README.md')) && existsSync(path.join(dir, 'services')));
assert.ok(root, `the repository root (README.md beside services/) was not found above ${here}`);
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The `ies` commands the usage text names, as their first one or two words (`keys generate`). */
const known = USAGE.split('\n')
  .map((line) => /^ {2}([a-z]+(?: [a-z]+)?)(?: +[A-Z[-]| {2,})/.exec(line)?.[1])
  .filter((c): c is string => c !== undefined);
assert.ok(known.includes('verify') && known.includes('keys generate'), `the usage text was not understood: ${known.join(', ')}`);

test('every `npx ies …` command in the README is a command of the ies bin', () => {
  const listed = [...readme.matchAll(/`npx ies ([a-z]+)(?: ([a-z]+))?/g)];
  assert.ok(listed.length >= 5, `expected the README to list ies commands, found ${listed.length}`);
  for (const [text, first, second] of listed) {
    const ok = known.includes(`${first} ${second ?? ''}`.trim()) || known.includes(first ?? '');
    assert.ok(ok, `${text}\` is in the README but \`ies\` has no such command (it knows: ${known.join(', ')})`);
  }
});

test('every `npm run …` command in the README is a script of the root package.json', () => {
  const listed = [...readme.matchAll(/`npm run ([a-z:]+)/g)].map((m) => m[1] ?? '');
  assert.ok(listed.length >= 5, `expected the README to list npm scripts, found ${listed.length}`);
  for (const name of listed) assert.ok(name in scripts, `\`npm run ${name}\` is in the README but package.json has no script "${name}"`);
  for (const bare of ['test']) assert.ok(bare in scripts, `package.json has no "${bare}" script`);
});
