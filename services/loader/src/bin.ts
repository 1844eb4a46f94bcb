#!/usr/bin/env node
import { startLoaderService } from './main.js';

const service = await startLoaderService(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
service.failed.catch(() => process.exit(1));
