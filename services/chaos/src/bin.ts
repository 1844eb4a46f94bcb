#!/usr/bin/env node
import { runCampaign } from './campaign.js';

process.exitCode = await runCampaign(process.env);
