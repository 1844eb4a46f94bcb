#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startRecheckService } from './recheck-main.js';

await runUntilSignalled(() => startRecheckService(process.env));
