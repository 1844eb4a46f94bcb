// `npm run build` step for the console's browser app: vite build of web/ into dist/web,
// skipped when the output is newer than every input (web/, this config, and the built
// browser-side packages it bundles), as tsc -b skips an up-to-date project.
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist/web/index.html');
const inputs = [path.join(here, 'web'), path.join(here, 'vite.config.mjs'), ...['verify', 'merkle', 'crypto', 'units'].map((s) => path.join(here, '..', s, 'dist/src'))];

const newest = (p) => {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))));
};

if (existsSync(out) && statSync(out).mtimeMs >= Math.max(...inputs.map(newest)) && !process.argv.includes('--force')) process.exit(0);
const { build } = await import('vite');
const t = Date.now();
await build({ configFile: path.join(here, 'vite.config.mjs'), root: path.join(here, 'web') });
console.error(`[console] web app built into services/console/dist/web in ${((Date.now() - t) / 1000).toFixed(1)} s`);
