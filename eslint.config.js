// ESLint (flat config) with typescript-eslint. Two project-specific rules: code under
// services/*/src/domain/ is a pure core and may not import I/O libraries (STYLE.md, rule 1),
// and a workspace uses another only through its package.json exports (rule 12).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { serviceBoundaries } from './eslint/service-boundaries.js';

const IO_LIBRARIES = ['kafkajs', '@kafkajs/*', 'fastify', '@fastify/*', 'bullmq', 'ioredis', '@clickhouse/*', 'node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process', '@ies/kafka', '@ies/clickhouse', '@ies/redis', '@ies/http'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/target/**', '**/node_modules/**', '.cache/**', '.stack/**', 'load-tests/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['services/**/*.ts'],
    plugins: { ies: { rules: { 'service-boundaries': serviceBoundaries } } },
    rules: {
      'ies/service-boundaries': ['error', { composition: [{ file: 'services/gateway/src/app.ts', services: ['@ies/dr', '@ies/settlement', '@ies/notary', '@ies/webhooks', '@ies/witness', '@ies/loader', '@ies/fanout', '@ies/console'] }] }],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: IO_LIBRARIES, message: 'src/domain/ is the pure core: no I/O libraries (see STYLE.md rule 1). Put the adapter outside domain/.' }] }],
    },
  },
);
