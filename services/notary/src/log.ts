// `@ies/notary/log`: the tenant log's store (its Redis projection: receipts, checkpoints,
// tiles, backlog), the pure append algorithm and the tiled-log paths, for readers of the log
// outside the notary.
export { LogStore, type AppliedState, type NotaryBacklog } from './log-store.js';
export { AppendWindow, EMPTY_RANGE, type CompactRange } from './domain/append-window.js';
