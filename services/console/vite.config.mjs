// Vite builds web/ (the console's single-page app) into dist/web, which the node serves
// under /console/. Workspace packages resolve with the "browser" condition, so @ies/verify,
// @ies/merkle and @ies/crypto come in their browser builds (#crypto, #sha256: @noble/*).
// `npx vite --config services/console/vite.config.mjs` serves web/ for development on
// 127.0.0.1:5173, passing the API paths to a node on IES_CONSOLE_NODE (default 127.0.0.1:8080).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const node = process.env.IES_CONSOLE_NODE ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: path.join(here, 'web'),
  base: '/console/',
  logLevel: 'warn',
  build: { outDir: path.join(here, 'dist/web'), emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { host: '127.0.0.1', strictPort: false, proxy: Object.fromEntries(['/v1', '/logs', '/.well-known', '/console/sign-in'].map((p) => [p, node])) },
});
