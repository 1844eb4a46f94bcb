#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startSettlementService } from './main.js';

await runUntilSignalled(() => startSettlementService(process.env));
