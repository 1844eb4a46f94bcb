// Vite builds web/ (the console's single-page app) into dist/web, which the node serves
// under /console/. Workspace packages resolve with the "browser" condition, so @ies/verify,
// @ies/merkle and @ies/crypto come in their browser builds (#crypto, #sha256: @noble/*).
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/console/',
  logLevel: 'warn',
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 },
});
