#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startFanoutService } from './main.js';

await runUntilSignalled(() => startFanoutService(process.env));
