import { createHash } from 'node:crypto';
import type { CredentialContexts } from '@ies/credentials';
import { TOPICS, topicName } from '@ies/contracts';
import { parseStrictJson } from '@ies/crypto';
import { IesError, toProblem } from '@ies/errors';
import { ACKS_ALL } from '@ies/kafka';
import { compactCsvColumns, normaliseBatch, readsOfColumns, type CompactCsvColumns, type IngestContext, type IngestResult } from '@ies/meterdata';
import { ingestContextFor, type MeterBatchRecord } from '@ies/registry/verify-batch';
import { authenticateWrite, type WriteRequest } from '@ies/http/auth';
import type { WriteDeps } from '../deps.js';
import { acceptedBatchResponse } from './batch-response.js';
import { encodeCompactBatch, METER_BATCH_V1_FINGERPRINT } from './compact-batch-record.js';
import { sendCoalesced } from './coalesced-send.js';
import { authenticateCredential, type BatchSender } from './credential-sender.js';
import type { IngestMetrics } from './metrics.js';
import { notaryOverdueMs, type NotaryBacklog } from '@ies/notary/http';
import { batchRootOf } from '@ies/notary/batch-root';

export interface SubmitDeps extends WriteDeps {
  /** The JSON-LD contexts credentials may name: bundled plus the operator's (loadCredentialContexts at start). */
  credentialContexts: CredentialContexts;
  metrics?: IngestMetrics;
  /** When the tenant's notary holds an unappended batch: the acceptance time of the oldest (null/undefined when it keeps up or is not running). */
  notaryBacklog?: (discomId: string) => Promise<NotaryBacklog | undefined>;
}

export interface SubmitInput {
  body: Buffer;
  contentType: string;
  signature: string | undefined;
  /** The tenant the sender addresses (X-IES-Tenant), when it names one. */
  tenant?: string | undefined;
  /** The request the signature must be bound to (the HTTP request, or METER_DATA_WRITE for Kafka intake). */
  request: WriteRequest;
  /**
   * The instant the detached JWS's freshness (iat within the skew) is judged at, when not now:
   * a re-driven dead letter's original arrival. Everything else (receivedAt, VEE, admission) is
   * judged now, so a late re-drive is recorded as received when it was.
   */
  authAtMs?: number;
}

/** An HTTP-shaped outcome, so the same use case serves the HTTP route and the Kafka intake. */
export interface SubmitOutcome {
  status: number;
  body: Record<string, unknown>;
  problem: boolean;
  replayed: boolean;
}

export type BatchFormat = 'IES_METERDATA_V06' | 'COMPACT_CSV' | 'IES_METERDATA_VC';

/**
 * `application/vc` is the media type VC Data Model 2.0 (section 6.3) registers for a
 * credential secured with an embedded proof; `application/vc+ld+json` (its drafts' name) is
 * accepted as well.
 */
export const CREDENTIAL_MEDIA_TYPES = ['application/vc', 'application/vc+ld+json'];

export function formatOf(contentType: string): BatchFormat {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type === 'application/ies-meterdata+json') return 'IES_METERDATA_V06';
  if (type === 'text/csv') return 'COMPACT_CSV';
  if (CREDENTIAL_MEDIA_TYPES.includes(type)) return 'IES_METERDATA_VC';
  throw new IesError('IES_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(contentType)} is not accepted; send application/json (IES MeterData v0.6), text/csv (compact) or application/vc (a MeterDataCredential)`);
}

/**
 * Accepts one signed head-end batch: authenticate, de-duplicate by message id, normalise
 * and validate (VEE), then write the batch with its rejected reads to Kafka (acks=all).
 * Only a durable write answers 202; a replay of the same id and body answers the original
 * response, a different body 409.
 */
export async function submitMeterBatch(deps: SubmitDeps, input: SubmitInput): Promise<SubmitOutcome> {
  const started = performance.now();
  try {
    const outcome = await submit(deps, input);
    const discom = typeof outcome.body.discomId === 'string' ? outcome.body.discomId : 'unknown';
    deps.metrics?.batch(discom, outcome.replayed ? 'replayed' : outcome.problem ? 'refused' : 'accepted', (performance.now() - started) / 1000);
    return outcome;
  } catch (err) {
    deps.metrics?.batch('unknown', err instanceof IesError && err.retriable ? 'unavailable' : 'refused', (performance.now() - started) / 1000);
    throw err;
  }
}

/**
 * Back-pressure from the notary: while the oldest batch it holds without a receipt has
 * waited more than `ingest.maxNotaryLagMs` beyond its checkpoint interval (the wait any
 * batch may have), new batches are refused (503, Retry-After) before anything is claimed,
 * so receipts stay prompt instead of queueing without bound behind a notary that cannot
 * keep up. Nothing is written for a refused batch. A notary that published nothing for 5 s
 * (stopped) does not hold ingest back: its batches wait in Kafka, nothing is lost.
 */
async function admitWhileNotaryKeepsUp(deps: SubmitDeps, discomId: string, nowMs: number): Promise<void> {
  const limit = deps.config.ingest.maxNotaryLagMs;
  if (limit === 0 || !deps.notaryBacklog) return;
  const overdue = notaryOverdueMs(await deps.notaryBacklog(discomId).catch(() => undefined), nowMs);
  if (overdue > limit) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the notary of ${discomId} is ${overdue} ms past its checkpoint interval (limit ${limit} ms); retry the same batch shortly`, { details: { retryAfterSeconds: 1, notaryOverdueMs: overdue } });
  }
}

async function submit(deps: SubmitDeps, input: SubmitInput): Promise<SubmitOutcome> {
  const { config, registry, idempotency } = deps;
  const nowMs = deps.now();
  const format = formatOf(input.contentType);
  // A credential carries its own proof (no X-IES-Signature); every other body a detached JWS.
  const sender: BatchSender =
    format === 'IES_METERDATA_VC'
      ? await authenticateCredential(registry, deps.credentialContexts, input.body, input.tenant, nowMs, config.auth.maxSkewSeconds)
      : await authenticateWrite(registry, input.body, input.signature, { nowMs: input.authAtMs ?? nowMs, maxSkewSeconds: config.auth.maxSkewSeconds, expectedRoles: ['HEADEND'], request: input.request });
  if (input.tenant !== undefined && input.tenant !== sender.discomId) {
    throw new IesError('IES_ERR_TENANT_FORBIDDEN', `key ${sender.kid} belongs to ${sender.discomId}, not to ${input.tenant}`);
  }
  await admitWhileNotaryKeepsUp(deps, sender.discomId, nowMs);
  const bodySha256 = createHash('sha256').update(input.body).digest('hex');
  const batchId = `${sender.participantId}:${sender.jti}`;

  const claim = await idempotency.claim(sender.discomId, sender.participantId, sender.jti, bodySha256, nowMs);
  const release = () => (claim.claimed ? idempotency.release(sender.discomId, sender.participantId, sender.jti, claim.token) : Promise.resolve());
  const complete = (status: number, response: unknown) =>
    claim.claimed ? idempotency.complete(sender.discomId, sender.participantId, sender.jti, claim.token, bodySha256, status, response) : Promise.resolve(false);
  if (!claim.claimed) {
    const prior = claim.existing;
    if (prior.bodySha256 !== bodySha256) {
      throw new IesError('IES_ERR_REPLAY_CONFLICT', `batch id ${sender.jti} was already used by ${sender.participantId} for a different body (sha256 ${prior.bodySha256.slice(0, 16)}…)`, { details: { batchId } });
    }
    if (prior.state === 'PENDING') {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `batch ${batchId} is still being written; retry shortly`, { details: { batchId, retryAfterSeconds: 2 } });
    }
    return { status: prior.status, body: prior.response as Record<string, unknown>, problem: prior.status >= 400, replayed: true };
  }

  let result: Normalised;
  try {
    result = normaliseForIngest(format, input.body, ingestContextFor(registry, sender.discomId, sender.participantId, nowMs), config.ingest.compactFastPath);
  } catch (err) {
    if (!(err instanceof IesError) || err.retriable) {
      await release();
      throw err;
    }
    // A refused document is refused the same way on every replay.
    const problem = { ...toProblem(err), batchId };
    await complete(problem.status, problem);
    return { status: problem.status, body: problem, problem: true, replayed: false };
  }

  const total = result.readCount + result.rejected.length;
  if (total > config.ingest.maxReadsPerBatch) {
    await release();
    throw new IesError('IES_ERR_PAYLOAD_TOO_LARGE', `batch holds ${total} reads; at most ${config.ingest.maxReadsPerBatch} are accepted per request`);
  }

  const receivedAt = nowMs;
  const response = acceptedBatchResponse({ batchId, discomId: sender.discomId, headEndId: sender.participantId, receivedAt, format, reads: { length: result.readCount }, rejected: result.rejected, ignoredProfiles: result.ignoredProfiles });


  let messages: Awaited<ReturnType<typeof encodeBatch>>;
  try {
    messages = await encodeBatch(deps, { batchId, discomId: sender.discomId, headEndId: sender.participantId, receivedAt, format, bodySha256, signature: format === 'IES_METERDATA_VC' ? '' : (input.signature as string), body: input.body }, result);
  } catch (err) {
    await release(); // nothing was sent
    throw err;
  }
  const remember = () => complete(202, response);
  await writeDurably(deps, messages, remember);
  await remember();
  deps.metrics?.reads(sender.discomId, result.readCount, result.rejected.map((r) => r.code));
  return { status: 202, body: response, problem: false, replayed: false };
}

/**
 * A normalised batch: the reads as objects (`normaliseBatch`), or, for a compact CSV body of
 * plain rows that all pass VEE, as columns (`compactCsvColumns`), which the encoder writes
 * without an object per read. Both give the same record, which avsc decodes to the same
 * values; the columns' bytes also give the reads block's byte size (compact-batch-record.test.ts).
 */
export type Normalised = { readCount: number; rejected: IngestResult['rejected']; ignoredProfiles: IngestResult['ignoredProfiles'] } & ({ reads: IngestResult['reads']; columns?: undefined } | { reads?: undefined; columns: CompactCsvColumns });

/** The same normalisation the notary and the loader re-run on the signed body (verify-batch). */
export function normaliseForIngest(format: BatchFormat, body: Buffer, ctx: IngestContext, compactFastPath = true): Normalised {
  const columns = format === 'COMPACT_CSV' && compactFastPath ? compactCsvColumns(body, ctx) : undefined;
  if (columns !== undefined) return { readCount: columns.count, rejected: [], ignoredProfiles: {}, columns };
  const result = normaliseBatch(format, body, ctx, parseStrictJson);
  return { ...result, readCount: result.reads.length };
}

/** A meter-batches.v1 record before its reads: the record the notary and the loader re-verify. */
type BatchHeader = Omit<MeterBatchRecord, 'reads' | 'body'> & { body: Buffer };

/**
 * The batch root is computed here, where the reads were just parsed and gateways scale out,
 * so the notary (one writer per tenant) appends it without rehashing every read; its
 * re-checker recomputes it off the append path (docs/notary-formats.md, "Who computes the batch root").
 * Columns are written straight to Avro when the tenant's registered schema is the one
 * `encodeCompactBatch` writes; otherwise they become objects for the usual encoder.
 */
async function encodeBatch(deps: SubmitDeps, header: BatchHeader, normalised: Normalised) {
  let result: IngestResult;
  if (normalised.columns !== undefined) {
    const writer = await deps.serde.writerSchemaOf(header.discomId, TOPICS.meterBatches);
    if (writer.fingerprint === METER_BATCH_V1_FINGERPRINT) {
      const { value } = encodeCompactBatch(header, normalised.columns, writer.id);
      return { batchId: header.batchId, discomId: header.discomId, batchValue: value };
    }
    result = { reads: readsOfColumns(normalised.columns), rejected: [], ignoredProfiles: {} };
  } else {
    result = normalised;
  }
  const batchRoot = Buffer.from(batchRootOf(header.discomId, result.reads)).toString('base64');
  const batchValue = await deps.serde.encode(header.discomId, TOPICS.meterBatches, { ...header, reads: result.reads, rejected: result.rejected, batchRoot, readCount: result.reads.length });
  return { batchId: header.batchId, discomId: header.discomId, batchValue };
}

/**
 * One record carries the whole batch, accepted and rejected reads alike, so the write is
 * atomic: either the batch is in Kafka or nothing is (the fan-out later derives
 * meter-reads.v1 and dead-letter.v1 from it, exactly once). If Kafka does not acknowledge
 * within the timeout the caller gets 503 while the claim stays PENDING until the send
 * settles, so a quick retry cannot write the batch a second time.
 */
async function writeDurably(deps: SubmitDeps, m: Awaited<ReturnType<typeof encodeBatch>>, rememberLateSuccess: () => Promise<boolean>): Promise<void> {
  const topic = topicName(m.discomId, TOPICS.meterBatches);
  const message = { key: m.batchId, value: m.batchValue };
  const send = deps.config.ingest.coalesceSends ? sendCoalesced(deps.producer, topic, message) : deps.producer.send({ topic, acks: ACKS_ALL, messages: [message] });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.config.ingest.kafkaAckTimeoutMs);
  });
  try {
    const outcome = await Promise.race([send.then(() => 'sent' as const), timeout]);
    if (outcome === 'timeout') {
      // The send goes on; if it lands, the claim becomes DONE and the retry gets this 202.
      send.then(() => rememberLateSuccess().catch(() => false), () => undefined);
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not acknowledge batch ${m.batchId} within ${deps.config.ingest.kafkaAckTimeoutMs} ms; retry with the same batch id`, { details: { batchId: m.batchId, retryAfterSeconds: 5 } });
    }
  } catch (err) {
    if (err instanceof IesError) throw err;
    if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') {
      throw new IesError('IES_ERR_PAYLOAD_TOO_LARGE', `batch ${m.batchId} (${m.batchValue.length} bytes as Avro) is larger than the topic accepts; split it`, { cause: err });
    }
    // A failed send may still have been stored (a timed-out request can land), so the claim
    // is kept until it expires rather than released: a retry before then gets 503, never a
    // second copy of the batch.
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take batch ${m.batchId}: ${(err as Error).message}; retry with the same batch id`, { cause: err, details: { batchId: m.batchId, retryAfterSeconds: 30 } });
  } finally {
    clearTimeout(timer);
  }
}
