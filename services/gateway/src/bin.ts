#!/usr/bin/env node
import { startGateway } from './main.js';

const gateway = await startGateway(process.env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void gateway.stop().then(() => process.exit(0)));
