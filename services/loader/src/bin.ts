#!/usr/bin/env node
import { runUntilSignalled } from '@ies/runtime';
import { startLoaderService } from './main.js';

const service = await runUntilSignalled(() => startLoaderService(process.env));
service.failed.catch(() => process.exit(1));
