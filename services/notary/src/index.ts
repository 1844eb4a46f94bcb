export { batchRoot, batchTree, readLeafHashes, readPath } from './domain/batch-tree.js';
export { AppendWindow, compactRangeIds, compactRangeRoot, EMPTY_RANGE, type CompactRange } from './domain/append-window.js';
export { foldTileSlice, newStoredNodes, tileSliceOf, TILE_HEIGHT, TILE_WIDTH, HASH_SIZE, type TileSlice } from './domain/tiles.js';
export { LogStore, notaryOverdueMs, type AppliedState, type NotaryBacklog } from './log-store.js';
export { NotaryKeyFile, type NotaryKeys } from './keys.js';
export { startNotaryService, logOrigin } from './main.js';
export { startTenantNotary, NOTARY_GROUP_PREFIX } from './notary.js';
