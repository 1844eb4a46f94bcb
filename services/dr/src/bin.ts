#!/usr/bin/env node
import { startDrService } from './main.js';

const service = await startDrService(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
