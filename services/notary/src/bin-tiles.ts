#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startTileServer } from './tiles-main.js';

await runUntilSignalled(() => startTileServer(process.env));
