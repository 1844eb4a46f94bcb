#!/usr/bin/env node
import { startNotaryService } from './main.js';

const service = await startNotaryService(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
