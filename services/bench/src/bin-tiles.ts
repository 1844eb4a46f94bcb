#!/usr/bin/env node
import { runTilesBench } from './tiles.js';
process.exit(await runTilesBench(process.argv.slice(2), process.env));
