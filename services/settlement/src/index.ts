// The settlement service's process entry (reconciler, sides consumer, statement worker).
// Others use its narrow entry points: `@ies/settlement/http` (P2P and statement routes),
// `@ies/settlement/migrations` (its tables), `@ies/settlement/testing` (parts the gateway's
// integration tests and the CLI's offline tests drive); the statement format and its
// verification are `@ies/verify`.
export { startSettlementService } from './main.js';
export type { P2pStore } from './p2p-store.js';
// The policy packs as loaded at start (the demo writes packs with a settlement calendar).
export { loadSettlementPolicies } from './policies.js';
export type { PolicyPack } from './domain/policy-pack.js';
