#!/usr/bin/env node
import { runIngestBench } from './ingest.js';
process.exit(await runIngestBench(process.argv.slice(2), process.env));
