#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startNotaryService } from './main.js';

await runUntilSignalled(() => startNotaryService(process.env));
