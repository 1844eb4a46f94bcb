import { buildFleet, injectFaults, istDayStart, meterDay, toCsv, type SimMeter, type SimRow } from '@ies/cli/sim';
import { METER_DATA_WRITE } from '@ies/contracts';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import type { AckLedger } from './ledger.js';
import { sendUntilAnswered, type ClientStats } from './client.js';
import { sha256Hex, type KafkaHeadEnd } from './kafka-headend.js';
import { sleep } from './processes.js';

export interface WorkloadOptions {
  discoms: readonly string[];
  day: string;
  seed: number;
  metersPerDiscom: number;
  rowsPerBatch: number;
  /** Share of rows turned into bad reads (negative, unknown meter, duplicate, off-grid). */
  faultRate: number;
}

export interface Fleet {
  discomId: string;
  meters: SimMeter[];
  headEnds: Map<string, KeyPair>;
}

export interface Batch {
  discomId: string;
  headEndId: string;
  jti: string;
  body: Buffer;
  reads: number;
  /** How the head-end sends it: posted, or produced to headend-submissions.v1. */
  via: 'http' | 'kafka';
}

export interface LoadFigures {
  batches: number;
  readsOffered: number;
  readsAccepted: number;
  readsRejected: number;
  acceptedByDiscom: Record<string, number>;
  batchesAcked: number;
  /** Of those, produced to headend-submissions.v1: offered / acked by the brokers / with a receipt. */
  viaKafka: { batches: number; acked: number; receipted: number };
  batchesUnanswered: string[];
  longestStallMs: number;
  maxBatchMs: number;
}

/** Fleets of the DISCOMs: the same ids and rows for the same seed, new head-end keys each pass. */
export async function buildFleets(o: WorkloadOptions): Promise<Fleet[]> {
  const fleets: Fleet[] = [];
  for (const [i, discomId] of o.discoms.entries()) {
    const meters = buildFleet({ seed: o.seed + i, meters: o.metersPerDiscom, headEnds: 2, idPrefix: `CH${i + 1}` });
    const headEnds = new Map<string, KeyPair>();
    for (const id of new Set(meters.map((m) => m.headEndId))) headEnds.set(id, await generateSigningKey('EdDSA'));
    fleets.push({ discomId, meters, headEnds });
  }
  return fleets;
}

/** The day's rows of one meter as its head-end sends them (with injected bad reads). */
function meterRows(o: WorkloadOptions, m: SimMeter, seed: number): SimRow[] {
  // No gaps: the settled day is complete, so the statements can be COMPUTED.
  return injectFaults(meterDay(m, istDayStart(o.day), { seed, gapRate: 0 }), o.faultRate, seed ^ Number(m.meterId.slice(-7))).rows;
}

/** The day's batches, interleaved over DISCOMs and head-ends so every part of the load sees every fault. */
export function buildBatches(o: WorkloadOptions, fleets: readonly Fleet[]): Batch[] {
  const queues: Batch[][] = [];
  fleets.forEach((fleet, i) => {
    for (const headEndId of fleet.headEnds.keys()) {
      const rows = fleet.meters.filter((m) => m.headEndId === headEndId).flatMap((m) => meterRows(o, m, o.seed + i));
      const q: Batch[] = [];
      for (let k = 0; k < rows.length; k += o.rowsPerBatch) {
        const chunk = rows.slice(k, k + o.rowsPerBatch);
        q.push({ discomId: fleet.discomId, headEndId, jti: `CHAOS-${o.seed}-${o.day}-${headEndId}-${q.length}`, body: Buffer.from(toCsv(chunk)), reads: chunk.length * 2, via: 'http' });
      }
      queues.push(q);
    }
  });
  const out: Batch[] = [];
  for (let k = 0; queues.some((q) => k < q.length); k += 1) for (const q of queues) if (k < q.length) out.push(q[k]!);
  // Every fourth batch goes through Kafka (the head-end intake consumer), the rest over HTTP.
  return out.map((b, i) => (i % 4 === 3 ? { ...b, via: 'kafka' } : b));
}

/**
 * Offers the batches at a fixed rate over `spreadMs`; each is retried until answered or the
 * deadline. Every 202 (and every broker ack of a Kafka submission) goes into the ack ledger
 * with the batch id and body hash; a Kafka batch's counts come from its receipt.
 */
export async function runLoad(urls: readonly string[], fleets: readonly Fleet[], batches: readonly Batch[], spreadMs: number, deadline: number, ledger: AckLedger, stats: ClientStats, kafka: KafkaHeadEnd): Promise<LoadFigures> {
  const figures: LoadFigures = { batches: batches.length, readsOffered: 0, readsAccepted: 0, readsRejected: 0, acceptedByDiscom: {}, batchesAcked: 0, viaKafka: { batches: 0, acked: 0, receipted: 0 }, batchesUnanswered: [], longestStallMs: 0, maxBatchMs: 0 };
  const keyOf = (b: Batch) => fleets.find((f) => f.discomId === b.discomId)!.headEnds.get(b.headEndId)!;
  const t0 = Date.now();
  let lastAck = t0;
  const acked = (b: Batch, batchId: string, started: number) => {
    const now = Date.now();
    ledger.add({ kind: 'batch', discomId: b.discomId, batchId, bodySha256: sha256Hex(b.body), at: now, via: b.via });
    figures.batchesAcked += 1;
    figures.maxBatchMs = Math.max(figures.maxBatchMs, now - started);
    figures.longestStallMs = Math.max(figures.longestStallMs, now - lastAck);
    lastAck = now;
  };
  const counted = (b: Batch, accepted: number) => {
    figures.readsAccepted += accepted;
    figures.acceptedByDiscom[b.discomId] = (figures.acceptedByDiscom[b.discomId] ?? 0) + accepted;
    figures.readsRejected += b.reads - accepted;
  };
  const interval = batches.length > 1 ? spreadMs / (batches.length - 1) : 0;
  await Promise.all(batches.map(async (b, i) => {
    await sleep(Math.max(0, t0 + i * interval - Date.now()));
    figures.readsOffered += b.reads;
    const started = Date.now();
    const batchId = `${b.headEndId}:${b.jti}`;
    if (b.via === 'kafka') {
      figures.viaKafka.batches += 1;
      if (!(await kafka.submit(b, keyOf(b), deadline, stats))) {
        figures.batchesUnanswered.push(`${batchId} (Kafka) not acknowledged by the brokers before the deadline`);
        return;
      }
      figures.viaKafka.acked += 1;
      acked(b, batchId, started);
      const accepted = await kafka.acceptedReads(urls, batchId, b.headEndId, keyOf(b), deadline);
      if (accepted === undefined) figures.batchesUnanswered.push(`${batchId} (Kafka) acknowledged, but no receipt before the deadline`);
      else {
        figures.viaKafka.receipted += 1;
        counted(b, accepted);
      }
      return;
    }
    const answer = await sendUntilAnswered(urls, { path: METER_DATA_WRITE.path, body: b.body, contentType: 'text/csv', key: keyOf(b), tenant: b.discomId, jti: b.jti }, i, deadline, stats);
    if (answer === undefined || answer.status !== 202) {
      figures.batchesUnanswered.push(`${batchId} ${answer ? `HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}` : 'no answer before the deadline'}`);
      return;
    }
    const a = answer.body as { batchId: string; counts: { accepted: number; rejected: number } };
    acked(b, a.batchId, started);
    counted(b, a.counts.accepted);
  }));
  return figures;
}
