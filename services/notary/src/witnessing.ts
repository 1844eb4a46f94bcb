import type { Redis } from 'ioredis';
import type { Config } from '@ies/config';
import { RFC6962_SHA256, consistencyProofFromNodes } from '@ies/merkle';
import type { Logger } from '@ies/observability';
import { checkpointSizeOf, parseCosignerKey, type ReceiptDocument } from '@ies/verify';
import { addCheckpoint, mergeCosignatures } from '@ies/witness/client';
import type { LogStore } from './log-store.js';

/** A witness of a tenant's log, as configured (IES_NOTARY_WITNESSES); `name` is its vkey's key name. */
export interface WitnessTarget {
  readonly name: string;
  readonly url: string;
  readonly vkey: string;
}

/** Which witnesses watch the tenant's log, and how many cosignatures make a checkpoint witnessed. */
export interface WitnessPolicy {
  readonly witnesses: readonly WitnessTarget[];
  readonly quorum: number;
}

export function witnessPolicy(config: Config, discomId: string): WitnessPolicy {
  const witnesses = config.notary.witnesses
    .filter((w) => w.tenants === undefined || w.tenants.includes(discomId))
    .map((w) => ({ name: parseCosignerKey(w.vkey).name, url: w.url, vkey: w.vkey }));
  return { witnesses, quorum: Math.min(config.notary.witnessQuorum, witnesses.length) };
}

/** What the logging node knows of one witness of a tenant's log. */
export interface WitnessStatus {
  readonly witness: string;
  readonly url: string;
  /** The largest checkpoint size it cosigned for us, and when. */
  readonly cosignedSize: number | null;
  readonly cosignedAt: string | null;
  /** Its refusals by code since the log began (INCONSISTENT means it saw another history: a fork). */
  readonly refusals: Readonly<Record<string, number>>;
  readonly lastRefusal: { readonly code: string; readonly detail: string; readonly size: number; readonly at: string } | null;
}

interface StoredStatus {
  url: string;
  cosignedSize?: number;
  cosignedAt?: string;
  /** The witness's signature lines on the checkpoint of cosignedSize. */
  lines?: string;
  lastRefusal?: WitnessStatus['lastRefusal'];
}

/**
 * The tenant's witnessing record, in Redis beside the log projection: per witness the last
 * cosignature and refusals (`ies:<d>:log:witnesses`, refusal counters in
 * `ies:<d>:log:witness-refusals`), and the latest checkpoint that met the policy, with its
 * cosignatures (`ies:<d>:log:witnessed`). Lost with Redis, it comes back with the next
 * checkpoint the witnesses cosign; the counters restart from zero.
 */
export class WitnessRecord {
  constructor(private readonly redis: Redis, readonly discomId: string) {}

  private key = (what: string) => `ies:${this.discomId}:log:${what}`;

  async cosigned(witness: string, url: string, size: number, lines: string, at: Date): Promise<void> {
    const status: StoredStatus = { ...(await this.stored(witness)), url, cosignedSize: size, cosignedAt: at.toISOString(), lines };
    await this.redis.hset(this.key('witnesses'), witness, JSON.stringify(status));
  }

  async refused(witness: string, url: string, code: string, detail: string, size: number, at: Date): Promise<void> {
    const status: StoredStatus = { ...(await this.stored(witness)), url, lastRefusal: { code, detail, size, at: at.toISOString() } };
    await this.redis.multi().hset(this.key('witnesses'), witness, JSON.stringify(status)).hincrby(this.key('witness-refusals'), `${witness} ${code}`, 1).exec();
  }

  private async stored(witness: string): Promise<StoredStatus | undefined> {
    const raw = await this.redis.hget(this.key('witnesses'), witness);
    return raw === null ? undefined : (JSON.parse(raw) as StoredStatus);
  }

  async statuses(): Promise<WitnessStatus[]> {
    const [all, counts] = await Promise.all([this.redis.hgetall(this.key('witnesses')), this.redis.hgetall(this.key('witness-refusals'))]);
    return Object.entries(all)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([witness, raw]) => {
        const s = JSON.parse(raw) as StoredStatus;
        const refusals = Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith(`${witness} `)).map(([k, v]) => [k.slice(witness.length + 1), Number(v)]));
        return { witness, url: s.url, cosignedSize: s.cosignedSize ?? null, cosignedAt: s.cosignedAt ?? null, refusals, lastRefusal: s.lastRefusal ?? null };
      });
  }

  /**
   * Records `note` as witnessed when at least `quorum` witnesses cosigned its size and it is
   * larger than the one recorded; returns the note with those cosignatures.
   */
  async promote(note: string, quorum: number): Promise<string | undefined> {
    const size = checkpointSizeOf(note);
    const lines = await this.linesFor(size);
    if (lines.length < quorum) return undefined;
    const cosigned = lines.reduce((n, l) => mergeCosignatures(n, l), note);
    const current = await this.witnessed();
    if (current === undefined || checkpointSizeOf(current) <= size) await this.redis.set(this.key('witnessed'), cosigned);
    return cosigned;
  }

  /** `note` with the cosignatures the witnesses gave its size (itself when none did). */
  async withCosignatures(note: string): Promise<string> {
    return (await this.linesFor(checkpointSizeOf(note))).reduce((n, lines) => mergeCosignatures(n, lines), note);
  }

  /** The signature lines each witness gave the checkpoint of `size`. */
  private async linesFor(size: number): Promise<string[]> {
    const all = Object.values(await this.redis.hgetall(this.key('witnesses'))).map((raw) => JSON.parse(raw) as StoredStatus);
    return all.filter((s) => s.cosignedSize === size && s.lines).map((s) => s.lines!);
  }

  /** The latest checkpoint that met the policy, with its cosignatures. */
  async witnessed(): Promise<string | undefined> {
    return (await this.redis.get(this.key('witnessed'))) ?? undefined;
  }
}

/**
 * A receipt with the tenant's latest witnessed checkpoint and the consistency proof from the
 * receipt's own checkpoint to it, when the tenant's policy names witnesses and one covers it
 * (verifyReceipt checks both); the receipt unchanged otherwise, so that a verifier holding the
 * policy says NOT_WITNESSED until the witnesses caught up.
 */
export async function withWitnessedCheckpoint(policy: WitnessPolicy, record: WitnessRecord, store: LogStore, doc: ReceiptDocument): Promise<ReceiptDocument> {
  if (policy.witnesses.length === 0) return doc;
  const witnessed = await record.witnessed();
  const size = checkpointSizeOf(doc.receipt.checkpoint);
  if (witnessed === undefined || checkpointSizeOf(witnessed) < size) return doc;
  const to = checkpointSizeOf(witnessed);
  const consistency = size === to ? [] : await consistencyProofFromNodes(RFC6962_SHA256, size, to, (ids) => store.nodes(ids));
  return { ...doc, witnessed: { checkpoint: witnessed, consistency: consistency.map((h) => Buffer.from(h).toString('base64')) } };
}

export interface Witnessing {
  /** One round for every tenant now (tests; the loop runs it every interval). */
  round(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Pushes each tenant's latest checkpoint to its witnesses (c2sp.org/tlog-witness
 * add-checkpoint, with the consistency proof from the size each witness last cosigned),
 * off the append path: a slow or absent witness never holds up ingest. A 409 tells the
 * witness's size (after a restart this side starts from 0) and the push is made again from
 * there; a 422 means the witness saw a history this checkpoint does not extend, and is logged
 * as an error and recorded as a refusal (the node's metric and `GET /v1/log/witnesses`).
 */
export function startWitnessing(deps: { config: Config; redis: Redis; stores: (discomId: string) => LogStore; logger: Logger; intervalMs?: number; now?: () => Date }): Witnessing {
  const now = deps.now ?? (() => new Date());
  const tenants = deps.config.tenants.map((d) => ({ discomId: d, policy: witnessPolicy(deps.config, d), record: new WitnessRecord(deps.redis, d) })).filter((t) => t.policy.witnesses.length > 0);
  // Per tenant and witness: the size it holds for us as last seen (an answer or a 409), and
  // the size it last cosigned in this process (0 and none after a restart).
  const held = new Map<string, number>();
  const cosigned = new Map<string, number>();

  async function push(t: (typeof tenants)[number], w: WitnessTarget, note: string, size: number): Promise<void> {
    const id = `${t.discomId} ${w.name}`;
    if ((cosigned.get(id) ?? -1) >= size) return;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const old = Math.min(held.get(id) ?? 0, size);
      const store = deps.stores(t.discomId);
      const proof = old === 0 || old === size ? [] : await consistencyProofFromNodes(RFC6962_SHA256, old, size, (ids) => store.nodes(ids));
      const answer = await addCheckpoint(w.url, { oldSize: old, proof, checkpointNote: note }, { witnessKeys: [w.vkey] });
      if (answer.ok) {
        held.set(id, size);
        cosigned.set(id, size);
        await t.record.cosigned(w.name, w.url, size, answer.cosignatures, now());
        return;
      }
      // 409: the witness holds another size of this log (we restarted, or it missed one): again from there.
      if (answer.refusal === 'CONFLICT' && answer.knownSize <= size && attempt === 0) {
        held.set(id, answer.knownSize);
        continue;
      }
      const fork = answer.refusal === 'INCONSISTENT' || (answer.refusal === 'CONFLICT' && answer.knownSize > size);
      await t.record.refused(w.name, w.url, fork ? 'INCONSISTENT' : answer.refusal, answer.detail, size, now());
      if (fork) deps.logger.error({ discomId: t.discomId, witness: w.name, size, detail: answer.detail }, "ALERT: a witness refused this log's checkpoint as inconsistent with what it saw: another history of this log was shown to it (a fork), or this log was rolled back");
      else deps.logger.warn({ discomId: t.discomId, witness: w.name, size, refusal: answer.refusal, detail: answer.detail }, 'witness did not cosign the checkpoint; tried again with the next one');
      return;
    }
  }

  async function round(): Promise<void> {
    for (const t of tenants) {
      const note = await deps.stores(t.discomId).checkpoint();
      if (!note) continue;
      const size = checkpointSizeOf(note);
      await Promise.all(t.policy.witnesses.map((w) => push(t, w, note, size).catch((err: unknown) => deps.logger.warn({ err, discomId: t.discomId, witness: w.name }, 'pushing the checkpoint to a witness failed; retried'))));
      await t.record.promote(note, t.policy.quorum);
    }
  }

  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : round())).catch((err: unknown) => deps.logger.warn({ err }, 'witnessing round failed; retried'));
  }, deps.intervalMs ?? 1000);
  if (tenants.length > 0) deps.logger.info({ tenants: tenants.map((t) => ({ discomId: t.discomId, witnesses: t.policy.witnesses.map((w) => w.name), quorum: t.policy.quorum })) }, 'pushing checkpoints to witnesses');
  return {
    round,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

