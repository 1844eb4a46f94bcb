#!/usr/bin/env node
import { startFanoutService } from './main.js';

const service = await startFanoutService(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
