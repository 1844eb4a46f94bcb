import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { IesError } from '@ies/errors';
import { checkpointOfNote } from '@ies/verify';
import { encodeEntryBundle, parseTilePath, treeHolds } from '../domain/tlog-layout.js';
import type { LogStore } from '../log-store.js';
import { TLOG_CHECKPOINT, TLOG_TILE } from './schemas.js';

/** The checkpoint is mutable: caches may keep it for a few seconds at most (c2sp.org/tlog-tiles). */
export const CHECKPOINT_CACHE = 'public, max-age=2';
/** Tiles and bundles (full or partial) never change once served: cache them for a year. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

export interface TlogRouteDeps {
  tenants: readonly string[];
  logStore: (discomId: string) => LogStore;
  /** The checkpoint with the cosignatures its witnesses gave that size (c2sp.org/tlog-witness), if any. */
  withCosignatures?: (discomId: string, note: string) => Promise<string>;
}

/**
 * Each hosted tenant's log as a C2SP tiled log under `/logs/<discom>/`: the checkpoint, the
 * Merkle tiles and the entry bundles, read from the log's Redis projection (reads only: the
 * writer never waits for them). Public by design, like checkpoints and keys (DESIGN.md,
 * Trust): any standard log client, knowing only the prefix and the verifier key, checks the
 * whole log. A resource is served only when the latest stored checkpoint covers it.
 */
export function tlogRoutes(app: FastifyInstance, deps: TlogRouteDeps): void {
  const storeOf = (discom: string): LogStore => {
    if (!deps.tenants.includes(discom)) throw new IesError('IES_ERR_NOT_FOUND', `${discom} is not a tenant of this node`);
    return deps.logStore(discom);
  };
  const latest = async (store: LogStore): Promise<{ note: string; size: number }> => {
    const note = await store.checkpoint();
    if (!note) throw new IesError('IES_ERR_NOT_FOUND', `the log of ${store.discomId} has no checkpoint yet: no batch has been notarised`);
    const parsed = checkpointOfNote(note);
    if (!parsed.ok) throw new IesError('IES_ERR_INTERNAL', `the stored checkpoint of ${store.discomId} is malformed: ${parsed.reason}`);
    return { note, size: parsed.checkpoint.size };
  };

  app.get('/logs/:discom/checkpoint', { schema: TLOG_CHECKPOINT }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const store = storeOf((req.params as { discom: string }).discom);
    const { note } = await latest(store);
    // Witness cosignatures are further signature lines: clients that do not know them ignore them.
    const served = deps.withCosignatures ? await deps.withCosignatures(store.discomId, note) : note;
    return reply.header('cache-control', CHECKPOINT_CACHE).type('text/plain; charset=utf-8').send(served);
  });

  app.get('/logs/:discom/tile/*', { schema: TLOG_TILE }, async (req, reply) => {
    // A refusal may become a tile later: only a served tile is cacheable.
    reply.header('cache-control', 'no-store');
    const params = req.params as { discom: string; '*': string };
    const store = storeOf(params.discom);
    const parsed = parseTilePath(params['*']);
    if (!parsed.ok) throw new IesError('IES_ERR_VALIDATION', parsed.reason);
    const r = parsed.resource;
    const { size } = await latest(store);
    const missing = () => new IesError('IES_ERR_NOT_FOUND', `the log of ${store.discomId} at size ${size} (its latest checkpoint) has no ${r.kind === 'entries' ? 'entry bundle' : `level-${r.level} tile`} ${r.index}${r.width === undefined ? '' : ` of width ${r.width}`}`);
    if (!treeHolds(r, size)) throw missing();
    const width = r.width ?? 256;
    if (r.kind === 'tile') {
      const key = `${store.discomId}/${r.level}/${r.index}`;
      const cached = width === 256 ? FULL_TILES.get(key) : undefined;
      if (cached) return immutable(reply, cached);
      const tile = await store.tile(r.level, r.index, width);
      if (!tile) throw new IesError('IES_ERR_INTERNAL', `the log projection of ${store.discomId} lacks level-${r.level} tile ${r.index} that its checkpoint of size ${size} covers`);
      if (width === 256) remember(FULL_TILES, FULL_TILES_MAX, key, tile);
      return immutable(reply, tile);
    }
    // Entry bundles SHOULD be compressed at the HTTP layer; JSON entries shrink several-fold.
    reply.header('vary', 'accept-encoding');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const key = `${store.discomId}/${r.index}`;
    const cached = gzip && width === 256 ? GZIPPED_BUNDLES.get(key) : undefined;
    if (cached) return immutable(reply.header('content-encoding', 'gzip'), cached);
    const entries = await store.bundleEntries(r.index, width);
    if (!entries) throw new IesError('IES_ERR_INTERNAL', `the log projection of ${store.discomId} lacks entries of bundle ${r.index} that its checkpoint of size ${size} covers`);
    const bundle = encodeEntryBundle(entries);
    if (gzip) return immutable(reply.header('content-encoding', 'gzip'), gzipped(key, width, bundle));
    return immutable(reply, bundle);
  });
}

function immutable(reply: FastifyReply, bytes: Buffer): FastifyReply {
  return reply.header('cache-control', IMMUTABLE_CACHE).type('application/octet-stream').send(bytes);
}

/** Full entry bundles never change: each is compressed once (bench:tiles: gzip per request cost about 6 full tiles). */
const GZIPPED_BUNDLES = new Map<string, Buffer>();
const GZIPPED_BUNDLES_MAX = 1024;
/** Full tiles never change either: kept in memory (8 KiB each, 32 MiB at most) so that serving them does not touch Redis, which ingest shares. */
const FULL_TILES = new Map<string, Buffer>();
const FULL_TILES_MAX = 4096;

function gzipped(key: string, width: number, bundle: Buffer): Buffer {
  return width === 256 ? remember(GZIPPED_BUNDLES, GZIPPED_BUNDLES_MAX, key, gzipSync(bundle)) : gzipSync(bundle);
}

/** Adds to a bounded cache of immutable bytes, dropping the oldest entry when full. */
function remember(cache: Map<string, Buffer>, max: number, key: string, bytes: Buffer): Buffer {
  if (cache.size >= max) cache.delete(cache.keys().next().value as string);
  cache.set(key, bytes);
  return bytes;
}
