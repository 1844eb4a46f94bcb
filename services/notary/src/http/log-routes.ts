import type { FastifyInstance, FastifyReply } from 'fastify';
import { IesError } from '@ies/errors';
import { RFC6962_SHA256, consistencyProofFromNodes, inclusionProofFromNodes } from '@ies/merkle';
import type { RegistryState } from '@ies/registry';
import type { Config } from '@ies/config';
import { authenticateRead, checkCapability, type AuthenticatedReader, type IdempotencyStore } from '@ies/http/auth';
import { batchTree, readPath } from '../domain/batch-tree.js';
import { checkpointOfNote, checkpointSizeOf, formatTlogProof, receiptFromJws, type LogEntry, type PublicRead, type ReceiptBody, type ReceiptDocument, type TlogProofExtra } from '@ies/verify';
import type { LogStore } from '../log-store.js';
import { witnessPolicy, withWitnessedCheckpoint, type WitnessPolicy, type WitnessRecord } from '../witnessing.js';
import { BATCH_TLOG_PROOF, CHECKPOINT, CONSISTENCY, LOG_KEY, READ_PROOF, READ_TLOG_PROOF, RECEIPT_ROUTE } from './schemas.js';

/** Where a read sits: which batch (latest version unless asked) and its index there; and the public reads of a batch in order. */
export interface ReadIndex {
  locate(discomId: string, read: { meterId: string; blockStart: number; channel: 'IMPORT' | 'EXPORT'; batchId?: string }): Promise<{ batchId: string; indexInBatch: number } | undefined>;
  batchReads(discomId: string, batchId: string): Promise<PublicRead[]>;
}

export interface LogRouteDeps {
  config: Config;
  registry: RegistryState;
  idempotency: IdempotencyStore;
  logStore: (discomId: string) => LogStore;
  readIndex: ReadIndex;
  /** Cosignatures the tenant's witnesses gave its checkpoints. */
  witnessRecord: (discomId: string) => WitnessRecord;
  now: () => number;
}

const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');
const RETRY_SECONDS = 1;
/** c2sp.org/tlog-proof: a text file (extension .tlog-proof). */
const TLOG_PROOF_TYPE = 'text/plain; charset=utf-8';

/**
 * The notary's read side: receipts, read proofs, checkpoints, consistency proofs and keys,
 * served from the log's Redis projection (and the ClickHouse read index for read proofs).
 * Every route is for the caller's own tenant only; verification needs public keys alone.
 */
export function logRoutes(app: FastifyInstance, deps: LogRouteDeps): void {
  const reader = (authorization: string | undefined) => authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
  /**
   * Access follows the data (DESIGN.md, Trust): the DISCOM reads every batch and read of its
   * tenant; a head-end its own batches; an aggregator the reads of meters enrolled with it; an
   * auditor what the DISCOM's capability grants. Anyone else is told there is nothing, the
   * same answer as for a batch or read that does not exist.
   */
  const mayRead = async (who: AuthenticatedReader, capability: string | undefined, what: { batchId: string; meterId?: string }): Promise<boolean> => {
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role === 'DISCOM') return true;
    if (role === 'HEADEND') return what.batchId.startsWith(`${who.participantId}:`);
    if (role === 'AGGREGATOR') return what.meterId !== undefined && deps.registry.enrolledWith(who.discomId, who.participantId, what.meterId);
    if (role === 'AUDITOR') {
      await checkCapability(deps.registry, capability, who, { audience: deps.config.nodeId, nowMs: deps.now(), scope: 'proofs' });
      return true;
    }
    return false;
  };
  const capabilityOf = (req: { headers: Record<string, string | string[] | undefined> }) => req.headers['x-ies-capability'] as string | undefined;
  const current = async (store: LogStore) => {
    const note = await store.checkpoint();
    if (!note) throw new IesError('IES_ERR_NOT_FOUND', `the log of ${store.discomId} has no checkpoint yet: no batch has been notarised`);
    return { note, size: sizeOf(note) };
  };

  // The configuration does not change while the node runs: each tenant's policy is read once, not per receipt.
  const policies = new Map<string, WitnessPolicy>();
  const policyOf = (discomId: string): WitnessPolicy => policies.get(discomId) ?? policies.set(discomId, witnessPolicy(deps.config, discomId)).get(discomId)!;
  const withWitnessed = (discomId: string, doc: ReceiptDocument) => withWitnessedCheckpoint(policyOf(discomId), deps.witnessRecord(discomId), deps.logStore(discomId), doc);

  app.get('/v1/batches/:batchId/receipt', { schema: RECEIPT_ROUTE }, async (req, reply) => {
    const who = await reader(req.headers.authorization);
    const { batchId } = req.params as { batchId: string };
    if (!(await mayRead(who, capabilityOf(req), { batchId }))) throw new IesError('IES_ERR_NOT_FOUND', `no batch ${batchId} visible to ${who.participantId}`);
    const jws = await deps.logStore(who.discomId).receipt(batchId);
    if (jws) return withWitnessed(who.discomId, receiptFromJws(jws));
    const colon = batchId.indexOf(':');
    if (colon > 0 && (await deps.idempotency.accepted(who.discomId, batchId.slice(0, colon), batchId.slice(colon + 1)))) {
      return reply.code(202).header('retry-after', String(RETRY_SECONDS)).send({ batchId, status: 'PENDING', detail: 'accepted; the notary has not appended it to the log yet' });
    }
    throw new IesError('IES_ERR_NOT_FOUND', `batch ${batchId} was not accepted for ${who.discomId} (or its acceptance record has expired and it has no receipt)`);
  });

  /** A read, its path in its batch tree and the batch receipt; undefined while the batch is not notarised. */
  const readProofOf = async (req: { headers: Record<string, string | string[] | undefined>; query: unknown }) => {
    const who = await reader(req.headers.authorization as string | undefined);
    const q = req.query as { meterId: string; blockStart: string; channel: string; batchId?: string };
    const blockStart = Date.parse(q.blockStart);
    if (!Number.isFinite(blockStart)) throw new IesError('IES_ERR_VALIDATION', `blockStart ${JSON.stringify(q.blockStart)} is not an ISO 8601 date-time`);
    const channel = q.channel.toUpperCase() as 'IMPORT' | 'EXPORT';
    const at = await deps.readIndex.locate(who.discomId, { meterId: q.meterId, blockStart, channel, ...(q.batchId ? { batchId: q.batchId } : {}) });
    const invisible = () => new IesError('IES_ERR_NOT_FOUND', `no accepted read of meter ${q.meterId} at ${new Date(blockStart).toISOString()} ${channel} visible to ${who.participantId} in ${who.discomId}`);
    if (!at || !(await mayRead(who, capabilityOf(req), { batchId: at.batchId, meterId: q.meterId }))) throw invisible();
    const jws = await deps.logStore(who.discomId).receipt(at.batchId);
    if (!jws) return { pending: at.batchId } as const;
    const receipt = receiptFromJws(jws);
    const reads = await deps.readIndex.batchReads(who.discomId, at.batchId);
    const tree = batchTree(reads);
    // The stored reads must rebuild the notarised root, or the proof would be worthless.
    if (reads.length !== receipt.receipt.readCount || b64(tree.root) !== receipt.receipt.batchRoot) {
      throw new IesError('IES_ERR_INTERNAL', `the stored reads of batch ${at.batchId} (${reads.length}) do not rebuild its notarised root; refusing to serve a proof`);
    }
    const read = reads[at.indexInBatch]!;
    return { discomId: who.discomId, read: { ...read, blockStart: new Date(read.blockStart).toISOString().replace('.000Z', 'Z') }, indexInBatch: at.indexInBatch, batchPath: readPath(tree, at.indexInBatch).map(b64), receipt: await withWitnessed(who.discomId, receipt) };
  };
  const pendingRead = (reply: FastifyReply, batchId: string) => reply.code(202).header('retry-after', String(RETRY_SECONDS)).send({ batchId, status: 'PENDING', detail: 'the read is stored; its batch is not notarised yet' });

  app.get('/v1/reads/proof', { schema: READ_PROOF }, async (req, reply) => {
    const p = await readProofOf(req);
    if ('pending' in p) return pendingRead(reply, p.pending!);
    return { read: p.read, indexInBatch: p.indexInBatch, batchPath: p.batchPath, receipt: p.receipt };
  });

  /**
   * A c2sp.org/tlog-proof@v1 file of a log entry: proven in the tenant's latest witnessed
   * checkpoint when its policy names witnesses and that checkpoint covers the entry, else in
   * its latest checkpoint (with whatever cosignatures it has).
   */
  const tlogProof = async (discomId: string, receipt: ReceiptBody, read?: { read: object; indexInBatch: number; batchPath: string[] }): Promise<string> => {
    const store = deps.logStore(discomId);
    const record = deps.witnessRecord(discomId);
    const witnessed = policyOf(discomId).witnesses.length > 0 ? await record.witnessed() : undefined;
    const note = witnessed !== undefined && checkpointSizeOf(witnessed) > receipt.logIndex ? witnessed : await record.withCosignatures((await current(store)).note);
    const size = checkpointSizeOf(note);
    const proof = await inclusionProofFromNodes(RFC6962_SHA256, receipt.logIndex, size, (ids) => store.nodes(ids));
    const entry: LogEntry = { batchId: receipt.batchId, discomId: receipt.discomId, headEndId: receipt.headEndId, readCount: receipt.readCount, batchRoot: receipt.batchRoot, acceptedAt: receipt.acceptedAt };
    return formatTlogProof({ extra: { v: 1, entry, ...(read ? { read: read.read as TlogProofExtra['read'] & object, indexInBatch: read.indexInBatch, batchPath: read.batchPath } : {}) }, index: receipt.logIndex, proof: proof.map(b64), checkpoint: note });
  };

  app.get('/v1/batches/:batchId/tlog-proof', { schema: BATCH_TLOG_PROOF }, async (req, reply) => {
    const who = await reader(req.headers.authorization);
    const { batchId } = req.params as { batchId: string };
    if (!(await mayRead(who, capabilityOf(req), { batchId }))) throw new IesError('IES_ERR_NOT_FOUND', `no batch ${batchId} visible to ${who.participantId}`);
    const jws = await deps.logStore(who.discomId).receipt(batchId);
    if (!jws) {
      const colon = batchId.indexOf(':');
      if (colon > 0 && (await deps.idempotency.accepted(who.discomId, batchId.slice(0, colon), batchId.slice(colon + 1)))) {
        return reply.code(202).header('retry-after', String(RETRY_SECONDS)).send({ batchId, status: 'PENDING', detail: 'accepted; the notary has not appended it to the log yet' });
      }
      throw new IesError('IES_ERR_NOT_FOUND', `batch ${batchId} was not accepted for ${who.discomId} (or its acceptance record has expired and it has no receipt)`);
    }
    return reply.type(TLOG_PROOF_TYPE).send(await tlogProof(who.discomId, receiptFromJws(jws).receipt));
  });

  app.get('/v1/reads/tlog-proof', { schema: READ_TLOG_PROOF }, async (req, reply) => {
    const p = await readProofOf(req);
    if ('pending' in p) return pendingRead(reply, p.pending!);
    return reply.type(TLOG_PROOF_TYPE).send(await tlogProof(p.discomId, p.receipt.receipt, { read: p.read, indexInBatch: p.indexInBatch, batchPath: p.batchPath }));
  });

  // Checkpoints and verifier keys are public by design (signed tree heads are gossiped so that
  // anyone can detect a fork): any authenticated reader may ask for another hosted tenant's
  // with ?discom=, e.g. a DISCOM checking the peer-DISCOM evidence of its statements.
  const logOf = async (authorization: string | undefined, discom: string | undefined) => {
    const who = await reader(authorization);
    if (discom !== undefined && !deps.config.tenants.includes(discom)) throw new IesError('IES_ERR_NOT_FOUND', `${discom} is not a tenant of this node`);
    return deps.logStore(discom ?? who.discomId);
  };

  app.get('/v1/log/checkpoint', { schema: CHECKPOINT }, async (req, reply) => {
    const { size, discom } = req.query as { size?: number; discom?: string };
    const store = await logOf(req.headers.authorization, discom);
    const note = size === undefined ? (await current(store)).note : await store.checkpointAt(size);
    if (!note) throw new IesError('IES_ERR_NOT_FOUND', `no checkpoint of size ${size} was signed for ${store.discomId}`);
    // With the cosignatures its witnesses gave that size, if any (signed-note: other keys' lines are ignored by verifiers that do not know them).
    return reply.type('text/plain; charset=utf-8').send(await deps.witnessRecord(store.discomId).withCosignatures(note));
  });

  app.get('/v1/log/consistency', { schema: CONSISTENCY }, async (req) => {
    const { first, second, discom } = req.query as { first: number; second: number; discom?: string };
    const store = await logOf(req.headers.authorization, discom);
    const { size } = await current(store);
    if (first > second || second > size) throw new IesError('IES_ERR_VALIDATION', `need 0 ≤ first ≤ second ≤ ${size} (the log's size); got first=${first}, second=${second}`);
    const proof = await consistencyProofFromNodes(RFC6962_SHA256, first, second, (ids) => store.nodes(ids));
    return { first, second, proof: proof.map(b64) };
  });

  app.get('/v1/log/key', { schema: LOG_KEY }, async (req, reply) => {
    const { discom, type } = req.query as { discom?: string; type?: 'ed25519' | 'ml-dsa-44' };
    const store = await logOf(req.headers.authorization, discom);
    const keys = await store.keys();
    if (!keys) throw new IesError('IES_ERR_NOT_FOUND', `the notary of ${store.discomId} has not published its keys yet`);
    const vkeys = type === 'ml-dsa-44' ? keys.mlDsaVerifierKeys : keys.verifierKeys;
    if (!vkeys?.length) throw new IesError('IES_ERR_NOT_FOUND', `the log of ${store.discomId} is not signed with ML-DSA-44 (IES_NOTARY_MLDSA44)`);
    return reply.type('text/plain; charset=utf-8').send(vkeys.map((k) => `${k}\n`).join(''));
  });
}

function sizeOf(note: string): number {
  const parsed = checkpointOfNote(note);
  if (!parsed.ok) throw new IesError('IES_ERR_INTERNAL', `the stored checkpoint is malformed: ${parsed.reason}`);
  return parsed.checkpoint.size;
}
