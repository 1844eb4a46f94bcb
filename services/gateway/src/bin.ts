#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startGateway } from './main.js';

await runUntilSignalled(() => startGateway(process.env));
