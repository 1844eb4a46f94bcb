// `npm run build` step for the notary's native batch root (native/, Rust, Node-API): cargo
// builds it into .cache/cargo-target (ignored) and the module is copied to
// dist/native/ies_treehash.node, where src/domain/batch-tree.ts loads it. Skipped when the
// copy is newer than the crate's sources. Without cargo it says so and the batch root stays
// on node:crypto (same roots, slower; batch-tree.test.ts requires the module where cargo is).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const crate = path.join(here, 'native');
const out = path.join(here, 'dist/native/ies_treehash.node');
const targetDir = path.join(here, '../../.cache/cargo-target');

const newest = (p) => {
  const st = statSync(p);
  return st.isDirectory() ? Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n)))) : st.mtimeMs;
};

if (existsSync(out) && statSync(out).mtimeMs >= Math.max(newest(path.join(crate, 'src')), newest(path.join(crate, 'Cargo.toml')), newest(path.join(crate, 'Cargo.lock')))) process.exit(0);
if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('[notary] cargo not found: the batch root stays on node:crypto (install Rust to build services/notary/native)');
  process.exit(0);
}
const t = Date.now();
execFileSync('cargo', ['build', '--release', '--locked', '--quiet', '--manifest-path', path.join(crate, 'Cargo.toml')], { stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: targetDir } });
mkdirSync(path.dirname(out), { recursive: true });
copyFileSync(path.join(targetDir, 'release', process.platform === 'darwin' ? 'libies_treehash.dylib' : 'libies_treehash.so'), out);
console.error(`[notary] native batch root built into services/notary/dist/native in ${((Date.now() - t) / 1000).toFixed(1)} s`);
