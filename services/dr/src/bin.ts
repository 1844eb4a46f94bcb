#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startDrService } from './main.js';

await runUntilSignalled(() => startDrService(process.env));
