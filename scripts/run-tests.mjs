// Runs the compiled tests with Node's built-in runner.
//   unit:        services/*/dist/src/**/*.test.js   (pure, seconds, no services)
//   integration: services/*/dist/test/integration/**/*.test.js (against the local stack)
//   all:         both, unit first
// An optional filter keeps the files whose path below the repository root contains it, e.g.
// `integration security` runs services/*/dist/test/integration/**/*security*.test.js and every
// integration file of a service whose name contains "security" (npm run test:security).
// Integration files run one at a time: they share one local stack.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2] ?? 'all';
const filter = process.argv[3];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function files(sub) {
  const services = path.join(root, 'services');
  return readdirSync(services)
    .flatMap((svc) => walk(path.join(services, svc, 'dist', sub)))
    .filter((f) => !filter || path.relative(root, f).includes(filter))
    .sort();
}

function run(label, list, extra) {
  if (list.length === 0) {
    console.error(`no ${label} test files found (did the build run?)`);
    return 1;
  }
  console.log(`\n# ${label}: ${list.length} file(s)`);
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...list], { stdio: 'inherit', cwd: root });
  return r.status ?? 1;
}

let status = 0;
if (kind === 'unit' || kind === 'all') status ||= run('unit', files('src'), []);
if (kind === 'integration' || kind === 'all') status ||= run('integration', files(path.join('test', 'integration')), ['--test-concurrency=1', '--test-timeout=120000']);
if (!['unit', 'integration', 'all'].includes(kind)) {
  console.error('usage: run-tests.mjs unit|integration|all [path-filter]');
  status = 2;
}
process.exit(status);
