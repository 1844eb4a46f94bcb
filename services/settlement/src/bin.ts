#!/usr/bin/env node
import { startSettlementService } from './main.js';

const service = await startSettlementService(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void service.stop().then(() => process.exit(0)));
