export { runCampaign, DISCOMS } from './campaign.js';
