import type { Redis } from './connection.js';

/**
 * One write of a versioned JSON record, made atomic with what must happen with it: the
 * record is replaced only while its stored version passes the check, and in the same step
 * an outbox entry is queued (for Kafka, a peer, ClickHouse) and the record's id added to
 * index sets. Either all of it happens or none.
 */
export interface VersionedWrite {
  readonly key: string;
  /** Dot path of the integer version inside the stored JSON, e.g. `version` or `allocation.version`. */
  readonly versionPath: string;
  /** The version an absent record counts as. */
  readonly absentVersion: number;
  /** `equals`: compare-and-set on the stored version; `below`: keep only a newer version than the stored one. */
  readonly when: { readonly equals: number } | { readonly below: number };
  readonly value: string;
  readonly outbox?: { readonly stream: string; readonly field: string; readonly entry: string };
  readonly index?: { readonly sets: readonly string[]; readonly member: string };
}

const SCRIPT = `
local v = tonumber(ARGV[2])
local cur = redis.call('GET', KEYS[1])
if cur then
  v = cjson.decode(cur)
  for field in string.gmatch(ARGV[1], '[^.]+') do v = v[field] end
end
local want = tonumber(ARGV[4])
if ARGV[3] == 'equals' then
  if v ~= want then return 0 end
elseif v >= want then return 0 end
redis.call('SET', KEYS[1], ARGV[5])
if ARGV[7] ~= '' then redis.call('XADD', KEYS[2], '*', ARGV[6], ARGV[7]) end
for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[8]) end
return 1`;

/** True when the record was written (and its outbox entry and index memberships with it). */
export async function writeVersioned(redis: Redis, w: VersionedWrite): Promise<boolean> {
  const [mode, version] = 'equals' in w.when ? ['equals', w.when.equals] : ['below', w.when.below];
  const sets = w.index?.sets ?? [];
  const ok = await redis.eval(SCRIPT, 2 + sets.length, w.key, w.outbox?.stream ?? w.key, ...sets, w.versionPath, String(w.absentVersion), mode, String(version), w.value, w.outbox?.field ?? '', w.outbox?.entry ?? '', w.index?.member ?? '');
  return ok === 1;
}
