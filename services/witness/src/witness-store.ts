import type { Redis } from 'ioredis';
import { IesError } from '@ies/errors';
import type { WitnessedLog } from './domain/add-checkpoint.js';

/** `ies:witness:<origin>`: a hash of size, root (base64) and the cosigned checkpoint note. */
export const witnessKey = (origin: string): string => `ies:witness:${origin}`;

/**
 * Compare-and-set: the record moves only if it still holds the (size, root) the request was
 * judged against (an absent record is size 0), so two requests judged against the same state
 * cannot both advance it and a slower one can never roll it back (c2sp.org/tlog-witness).
 */
const ADVANCE = `
local cur = redis.call('HMGET', KEYS[1], 'size', 'root')
local size = cur[1] or '0'
local root = cur[2] or ''
if size ~= ARGV[1] or root ~= ARGV[2] then return {0, size} end
redis.call('HSET', KEYS[1], 'size', ARGV[3], 'root', ARGV[4], 'checkpoint', ARGV[5])
return {1, ARGV[3]}
`;

export interface WitnessRecord {
  readonly log: WitnessedLog;
  /** The last cosigned checkpoint: the log's verified signatures and the witness's lines. */
  readonly checkpoint: string;
}

export type Advanced = { readonly ok: true } | { readonly ok: false; readonly knownSize: number };

/** The witness's only state: per watched origin, the last checkpoint it cosigned. */
export class WitnessStore {
  constructor(private readonly redis: Redis) {}

  async get(origin: string): Promise<WitnessRecord | undefined> {
    const h = await this.redis.hgetall(witnessKey(origin));
    if (h.size === undefined) return undefined;
    // Trust nothing by position: a record that does not parse stops cosigning for the log.
    const size = Number(h.size);
    const rootHash = Buffer.from(h.root ?? '', 'base64');
    if (!/^(0|[1-9][0-9]*)$/.test(h.size) || !Number.isSafeInteger(size) || rootHash.length !== 32 || !h.checkpoint) {
      throw new IesError('IES_ERR_INTERNAL', `the witness record ${witnessKey(origin)} is malformed (size ${JSON.stringify(h.size)}, root of ${rootHash.length} bytes)`);
    }
    return { log: { size, rootHash: new Uint8Array(rootHash) }, checkpoint: h.checkpoint };
  }

  /** Moves the record from `from` (undefined = never cosigned) to `to`, unless another request moved it first. */
  async advance(origin: string, from: WitnessedLog | undefined, to: WitnessedLog, checkpoint: string): Promise<Advanced> {
    const [ok, size] = (await this.redis.eval(
      ADVANCE, 1, witnessKey(origin),
      String(from?.size ?? 0), from ? b64(from.rootHash) : '',
      String(to.size), b64(to.rootHash), checkpoint,
    )) as [number, string];
    return ok === 1 ? { ok: true } : { ok: false, knownSize: Number(size) };
  }
}

const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');
