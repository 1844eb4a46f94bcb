export { runCampaign, DISCOMS } from './campaign.js';
export type { AckLedgerEntry } from './ledger.js';
